"""Signs that a submission tries to tamper with test results, read statically.

Hidden tests never run in the candidate's container, so these cannot touch hidden scores; but
the candidate's *own* test results come from their own process, so when these signs are present
those results are not trusted (and the report says why).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path, PurePosixPath

from grader.analysis.sources import python_trees
from grader.checks import CheckResult

#: pytest hooks that can rewrite an outcome, replace a test's call, drop tests or the report.
OUTCOME_HOOKS = {"pytest_runtest_makereport", "pytest_report_teststatus",
                 "pytest_runtest_logreport", "pytest_runtest_protocol", "pytest_pyfunc_call",
                 "pytest_runtest_call", "pytest_collection_modifyitems",
                 "pytest_sessionfinish", "pytest_terminal_summary", "pytest_runtestloop",
                 "pytest_collection_finish", "pytest_deselected", "pytest_unconfigure"}
STARTUP_HOOK_FILES = {"sitecustomize.py", "usercustomize.py"}
#: Modules the test run itself imports: a submission's own copy would stand in for them.
SHADOWED = {"pytest", "_pytest", "coverage", "pluggy", "unittest", "junit_xml"}


def find_tampering(root: Path, files: tuple[str, ...] | list[str]) -> list[dict[str, object]]:
    """Ways a submission can change what its own tests report, read statically: outcome hooks
    (defined or bound by assignment), start-up hooks, modules shadowing the test tools,
    `-p` plugins in pytest's addopts and pytest plugin entry points."""
    found: list[dict[str, object]] = []
    for rel in files:
        path = PurePosixPath(rel)
        if path.name in STARTUP_HOOK_FILES:
            found.append({"file": rel, "line": 1,
                          "what": f"{path.name} runs code at every interpreter start"})
        if path.name.endswith(".pth"):
            found.append({"file": rel, "line": 1, "what": ".pth file (runs at start-up)"})
        top = path.parts[0].removesuffix(".py") if path.parts else ""
        if top in SHADOWED and (len(path.parts) > 1 or path.suffix == ".py"):
            found.append({"file": rel, "line": 1,
                          "what": f"a module named {top}, which the test run itself imports"})
    for rel, tree in python_trees(root, files):
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and \
                    node.name in OUTCOME_HOOKS:
                found.append({"file": rel, "line": node.lineno,
                              "what": f"defines {node.name}, which can rewrite test outcomes"})
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    name = target.id if isinstance(target, ast.Name) else (
                        target.attr if isinstance(target, ast.Attribute) else "")
                    if name in OUTCOME_HOOKS:
                        found.append({"file": rel, "line": node.lineno,
                                      "what": f"binds {name} by assignment, which can rewrite "
                                              "test outcomes"})
    found += _config_plugins(root, files)
    return found


def _config_plugins(root: Path, files: tuple[str, ...] | list[str]) -> list[dict[str, object]]:
    """`-p plugin` in pytest's addopts, and pytest11 plugin entry points."""
    found: list[dict[str, object]] = []
    for name in ("pytest.ini", "pyproject.toml", "setup.cfg", "tox.ini", "setup.py"):
        if name not in files:
            continue
        text = (root / name).read_text(encoding="utf-8", errors="replace")[:200_000]
        for n, line in enumerate(text.splitlines(), 1):
            if "addopts" in line and re.search(r"(^|[\s\"'=\[,])-p\s*\S", line):
                found.append({"file": name, "line": n,
                              "what": "pytest addopts load a plugin (-p)"})
            if "pytest11" in line:
                found.append({"file": name, "line": n,
                              "what": "declares a pytest plugin entry point (pytest11)"})
    return found


def tampering_check(findings: list[dict[str, object]]) -> CheckResult:
    title = "No tampering with test results"
    if not findings:
        return CheckResult.passed("static.no-test-tampering", "no result-altering hooks",
                                  title=title, kind="static")
    where = "; ".join(f"{f['file']}:{f['line']} {f['what']}" for f in findings[:5])
    return CheckResult.failed("static.no-test-tampering", where, title=title, kind="static",
                              evidence={"findings": findings})
