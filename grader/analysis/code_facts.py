"""Code-quality facts every track can use, read on the host without running the code:
ruff findings by rule (ruff only parses), committed secrets, Python-2-isms, lines of code, and
`findings_check` to turn a list of findings into a check. The checks built from them for a
track's own files are in grader/tracks/steps/static.py."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from grader.analysis.sources import MAX_SOURCE_BYTES, syntax_tree, too_deep
from grader.checks import CheckResult

_SECRET_PATTERNS = [
    ("private key", re.compile(r"-----BEGIN (?:RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----")),
    ("AWS access key", re.compile(r"\bAKIA[0-9A-Z]{16}\b")),
    ("GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b")),
    ("OpenAI-style key", re.compile(r"\bsk-[A-Za-z0-9]{32,}\b")),
    ("Slack token", re.compile(r"\bxox[baprs]-[A-Za-z0-9-]{10,}\b")),
    ("hard-coded secret", re.compile(
        r"""(?im)^\s*[A-Z_]*(?:SECRET|PASSWORD|API_KEY|TOKEN)[A-Z_]*\s*=\s*['"][^'"\s]{12,}['"]""")),
]
_SCAN_SUFFIXES = (".py", ".env", ".cfg", ".ini", ".toml", ".yaml", ".yml", ".json", ".txt")
_PY2_NAMES = {"xrange", "unicode", "basestring", "raw_input", "unichr", "execfile"}
_PY2_METHODS = {"iteritems", "itervalues", "iterkeys", "has_key"}


def find_secrets(root: Path, files: tuple[str, ...] | list[str]) -> list[dict[str, object]]:
    """Committed secrets: key-shaped strings anywhere, `PASSWORD = "..."`-style assignments
    outside test files (a test's fixture password is not a secret), committed .env files."""
    found: list[dict[str, object]] = []
    for rel in files:
        name = Path(rel).name
        is_test = name.startswith("test_") or name.endswith("_test.py") or name in (
            "tests.py", "conftest.py") or "tests" in Path(rel).parts[:-1]
        if not (rel.endswith(_SCAN_SUFFIXES) or name.startswith(".env")):
            continue
        path = root / rel
        if path.stat().st_size > 512 * 1024:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for kind, pattern in _SECRET_PATTERNS:
            if is_test and kind == "hard-coded secret":
                continue
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append({"file": rel, "line": line, "kind": kind})
        if name == ".env" or name.startswith(".env."):
            found.append({"file": rel, "line": 1, "kind": "committed .env file"})
    return found[:50]


def find_py2isms(root: Path, files: tuple[str, ...] | list[str]) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    for rel in files:
        if not rel.endswith(".py") or (root / rel).stat().st_size > 1024 * 1024:
            continue
        source = (root / rel).read_bytes()
        try:
            tree = syntax_tree(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            text = source.decode("utf-8", "replace")
            for i, line in enumerate(text.splitlines(), 1):
                if re.match(r"\s*print\s+[^(\s=]", line) or re.search(r"except\s+\w+\s*,\s*\w+:",
                                                                      line):
                    found.append({"file": rel, "line": i, "what": line.strip()[:80]})
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id in _PY2_NAMES and isinstance(
                    node.ctx, ast.Load):
                found.append({"file": rel, "line": node.lineno, "what": node.id})
            elif isinstance(node, ast.Attribute) and node.attr in _PY2_METHODS:
                found.append({"file": rel, "line": node.lineno, "what": f".{node.attr}()"})
    return found[:50]


def ruff_findings(root: Path, files: tuple[str, ...] | list[str] | None = None
                  ) -> tuple[Counter[str], list[dict[str, object]], str | None]:
    """(count per rule, first findings, error). `--isolated`: the candidate's own ruff config
    is ignored, so it cannot switch the rules off."""
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    if not Path(ruff).exists():
        return Counter(), [], "ruff is not installed"
    sources = [f for f in (files or []) if f.endswith(".py")]
    # as in python_facts: files over 1 MiB or nested past a tree walker's reach are left out
    readable = [f for f in sources if (root / f).stat().st_size <= MAX_SOURCE_BYTES
                and not too_deep((root / f).read_bytes())]
    if sources and not readable:
        return Counter(), [], "no Python file ruff can read (over 1 MiB or nested too deep)"
    targets = readable or ["."]
    try:
        out = subprocess.run(
            [ruff, "check", "--isolated", "--no-cache", "--exit-zero", "--output-format",
             "json", "--select", "E4,E7,E9,F,B,UP,SIM", "--ignore", "B008",  # B008: Depends()
             "--target-version", "py311", "--", *targets],
            cwd=root, capture_output=True, text=True, timeout=120, check=False)
        if out.returncode != 0:
            last = (out.stderr or "").strip().splitlines()[-1:] or [f"exit {out.returncode}"]
            return Counter(), [], f"ruff stopped without an answer ({last[0][:200]})"
        data = json.loads(out.stdout or "[]")
    except (OSError, subprocess.TimeoutExpired, ValueError, RecursionError) as exc:
        return Counter(), [], f"ruff failed: {exc}"
    counts = Counter(str(item.get("code")) for item in data)
    first = [{"file": str(Path(item["filename"]).relative_to(root.resolve()))
              if Path(item["filename"]).is_absolute() else item["filename"],
              "line": item.get("location", {}).get("row"), "code": item.get("code"),
              "message": item.get("message")} for item in data[:20]]
    return counts, first, None


def python_lines(root: Path, files: tuple[str, ...] | list[str]) -> int:
    total = 0
    for rel in files:
        if rel.endswith(".py") and (root / rel).stat().st_size < 1024 * 1024:
            total += sum(1 for line in (root / rel).read_bytes().splitlines() if line.strip())
    return total


def findings_check(check_id: str, title: str, findings: list[dict[str, object]],
                   what_key: str, found: str, clean: str) -> CheckResult:
    """A static check that passes with no findings and otherwise lists the first five,
    each as "<what> at <file>:<line>", with all of them as evidence."""
    if not findings:
        return CheckResult.passed(check_id, clean, title=title, kind="static")
    where = "; ".join(f"{f[what_key]} at {f['file']}:{f['line']}" for f in findings[:5])
    return CheckResult.failed(check_id, f"{len(findings)} {found}: {where}", title=title,
                              kind="static", evidence={"findings": findings})
