"""Whether the candidate's own tests can fail, read with `ast` (nothing runs).

A hollow test passes whatever the code does:
- it asserts nothing: no `assert`, no `self.assert*`/`assert_*` call, no `pytest.raises` or
  `pytest.fail`, and no call to a helper of the test files that asserts;
- it swallows its assertions: they sit in a `try` whose handler catches everything (or
  AssertionError) and does not fail;
- it is skipped where it would be graded: a skip conditioned on `/.dockerenv`, CI variables
  or the grader's environment (a decorator, a module-level `pytestmark`, or `if ...: skip`).

Coverage configured to leave the application out (`omit`/`include`/`source` in .coveragerc,
setup.cfg, tox.ini or pyproject.toml) is reported too: grader measures coverage with its own
settings anyway, but the intent is worth a question.
"""

from __future__ import annotations

import ast
import configparser
import re
import tomllib
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

from grader.analysis.sources import parse_python
from grader.checks import CheckResult

_GRADING_ENV = re.compile(r"\.dockerenv|['\"](CI|GITHUB_ACTIONS|GITLAB_CI|GRADER\w*|"
                          r"JENKINS\w*|BUILDKITE|CONTINUOUS_INTEGRATION)['\"]|cgroup|"
                          r"container|sandbox|grader", re.IGNORECASE)
_MAX_FILE_BYTES = 1024 * 1024


def is_test_module(rel: str, patterns: tuple[str, ...] = ()) -> bool:
    """test_*.py, *_test.py, tests.py (Django), a module under a tests/ folder, or one named
    by the submission's own pytest `python_files` patterns."""
    path = PurePosixPath(rel)
    return path.suffix == ".py" and (path.name.startswith("test_") or path.stem.endswith(
        "_test") or path.name == "tests.py" or "tests" in path.parts[:-1]
        or any(fnmatchcase(path.name, p) for p in patterns))


def pytest_file_patterns(root: Path, files: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The `python_files` patterns of the submission's pytest configuration (pytest.ini,
    pyproject.toml, tox.ini or setup.cfg), if it sets them."""
    for name, section in (("pytest.ini", "pytest"), ("tox.ini", "pytest"),
                          ("setup.cfg", "tool:pytest")):
        if name in files:
            parser = configparser.ConfigParser()
            try:
                parser.read_string((root / name).read_text(encoding="utf-8", errors="replace"))
            except configparser.Error:
                continue
            if parser.has_option(section, "python_files"):
                return tuple(parser.get(section, "python_files").split())
    if "pyproject.toml" in files:
        try:
            data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            return ()
        value = data.get("tool", {}).get("pytest", {}).get("ini_options", {}).get(
            "python_files")
        if isinstance(value, str):
            return tuple(value.split())
        if isinstance(value, list):
            return tuple(str(v) for v in value)
    return ()


def _asserts(node: ast.AST, helpers: set[str]) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Assert):
            return True
        if isinstance(sub, ast.Call):
            name = sub.func.attr if isinstance(sub.func, ast.Attribute) else (
                sub.func.id if isinstance(sub.func, ast.Name) else "")
            if name.startswith(("assert", "fail")) or name in ("raises", "warns") or (
                    name in helpers):
                return True
    return False


def _catches_all(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    names = [n.id if isinstance(n, ast.Name) else n.attr if isinstance(n, ast.Attribute)
             else "" for n in ast.walk(handler.type) if isinstance(n, ast.Name | ast.Attribute)]
    return any(n in ("Exception", "BaseException", "AssertionError") for n in names)


def _swallowed(func: ast.AST, helpers: set[str]) -> bool:
    """Every assertion of the test sits in a try whose handler catches it and moves on."""
    tries = [t for t in ast.walk(func) if isinstance(t, ast.Try)]
    if not tries:
        return False
    for t in tries:
        guarded = any(_asserts(stmt, helpers) for stmt in t.body)
        lenient = any(_catches_all(h) and not any(
            isinstance(s, ast.Raise) or _asserts(s, set()) for s in ast.walk(h))
            for h in t.handlers)
        if guarded and lenient:
            rest = [s for s in getattr(func, "body", []) if s is not t]
            return not any(_asserts(s, helpers) for s in rest)
    return False


def _env_skip(node: ast.AST) -> bool:
    """A skip (decorator or call) conditioned on the grading environment."""
    source = ast.unparse(node)
    return "skip" in source and bool(_GRADING_ENV.search(source))


def hollow_tests(root: Path, files: tuple[str, ...] | list[str]) -> list[dict[str, object]]:
    """[{file, line, test, why}] for each hollow test of the candidate's test modules."""
    trees: list[tuple[str, ast.Module]] = []
    patterns = pytest_file_patterns(root, files)
    for rel in files:
        if not is_test_module(rel, patterns) and PurePosixPath(rel).name != "conftest.py":
            continue
        if (root / rel).stat().st_size > _MAX_FILE_BYTES:
            continue
        tree = parse_python((root / rel).read_bytes(), rel)
        if tree is not None:
            trees.append((rel, tree))
    helpers = {n.name for _, tree in trees for n in ast.walk(tree)
               if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
               and not n.name.startswith("test") and _asserts(n, set())}
    found: list[dict[str, object]] = []
    for rel, tree in trees:
        if PurePosixPath(rel).name == "conftest.py":
            continue
        module_skip = any(isinstance(s, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in s.targets)
            and _env_skip(s.value) for s in tree.body)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                    and node.name.startswith("test")):
                continue
            why = ""
            if module_skip or any(_env_skip(d) for d in node.decorator_list) or any(
                    isinstance(s, ast.If) and _env_skip(s) for s in node.body):
                why = "skipped in the grading environment"
            elif not _asserts(node, helpers):
                why = "asserts nothing"
            elif _swallowed(node, helpers):
                why = "its assertions are swallowed by a try/except"
            if why:
                found.append({"file": rel, "line": node.lineno, "test": node.name, "why": why})
    return found[:100]


def coverage_omits(root: Path, files: tuple[str, ...] | list[str]) -> list[dict[str, object]]:
    """Coverage settings of the submission that leave code out: [{file, line, what}]."""
    found: list[dict[str, object]] = []
    for name, section in ((".coveragerc", "run"), ("setup.cfg", "coverage:run"),
                          ("tox.ini", "coverage:run")):
        if name not in files:
            continue
        parser = configparser.ConfigParser()
        try:
            parser.read_string((root / name).read_text(encoding="utf-8", errors="replace"))
        except configparser.Error:
            continue
        for key in ("omit", "include"):
            if parser.has_option(section, key):
                value = " ".join(parser.get(section, key).split())
                found.append({"file": name, "line": 1, "what": f"[{section}] {key} = {value}"})
    if "pyproject.toml" in files:
        try:
            data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            data = {}
        run = data.get("tool", {}).get("coverage", {}).get("run", {})
        for key in ("omit", "include"):
            if isinstance(run, dict) and run.get(key):
                found.append({"file": "pyproject.toml", "line": 1,
                              "what": f"[tool.coverage.run] {key} = {run[key]}"})
    return found


def meaningful_check(root: Path, files: tuple[str, ...] | list[str]) -> CheckResult:
    """tests.own.meaningful: no hollow test, no coverage configured to leave code out. Its
    points are set by the caller from the share of tests that can fail; a skip conditioned on
    the grading environment or coverage set to leave code out is gaming, worth 0."""
    title = "The candidate's tests can fail"
    hollow = hollow_tests(root, files)
    omits = coverage_omits(root, files)
    evidence = {"hollow": hollow, "coverage_settings": omits}
    if not hollow and not omits:
        return CheckResult.passed("tests.own.meaningful", "every test asserts something, "
                                  "none is skipped where it is graded", title=title)
    parts = [f"{len(hollow)} hollow test(s): " + "; ".join(
        f"{h['test']} at {h['file']}:{h['line']} {h['why']}" for h in hollow[:4])] if hollow \
        else []
    if omits:
        parts.append("coverage configured to leave code out: " + "; ".join(
            f"{o['what']} ({o['file']})" for o in omits[:2]))
    return CheckResult.failed("tests.own.meaningful", "; ".join(parts), title=title,
                              evidence=evidence)
