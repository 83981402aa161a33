"""Whether the candidate's own tests can fail, read with `ast` (nothing runs).

A hollow test passes whatever the code does:
- it asserts nothing: no `assert`, no `self.assert*`/`assert_*` call, no `pytest.raises` or
  `pytest.fail`, and no call to a helper of the test files that asserts;
- it swallows its assertions: they sit in a `try` whose handler catches everything (or
  AssertionError) and does not fail;
- it is skipped where it would be graded: a skip conditioned on `/.dockerenv`, CI variables
  or the grader's environment (a decorator, a module-level `pytestmark`, or `if ...: skip`);
- its subject is mocked away: the data layer (or the app it calls) replaced by mocks
  (grader.analysis.test_mocks); such tests fail the check only when they are half the suite
  or more, and earn nothing either way.

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

from grader.analysis.sources import parse_python, python_trees
from grader.analysis.symbols import Symbols
from grader.analysis.test_mocks import Origin, mocked_tests, test_functions
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


def _test_trees(root: Path, files: tuple[str, ...] | list[str]) -> list[tuple[str,
                                                                              ast.Module]]:
    """The candidate's test modules and conftest.py files, parsed."""
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
    return trees


def hollow_tests(root: Path, files: tuple[str, ...] | list[str]) -> list[dict[str, object]]:
    """[{file, line, test, why}] for each hollow test of the candidate's test modules; a test
    whose subject is mocked away also has `mocked` (grader.analysis.test_mocks)."""
    trees = _test_trees(root, files)
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
    named = {(h["file"], h["test"]) for h in found}
    symbols = Symbols(dict(python_trees(root, files)))
    found += [m for m in mocked_tests(dict(trees), [rel for rel, _ in trees if PurePosixPath(
        rel).name != "conftest.py"], _origin_in(symbols)) if (m["file"], m["test"]) not in named]
    return found[:100]


def count_tests(root: Path, files: tuple[str, ...] | list[str]) -> int:
    """How many test functions the candidate's test modules define."""
    return sum(len(test_functions(tree)) for rel, tree in _test_trees(root, files)
               if PurePosixPath(rel).name != "conftest.py")


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


def meaningful_check(root: Path, files: tuple[str, ...] | list[str],
                     share: float | None = None) -> CheckResult:
    """tests.own.meaningful: no hollow test, no coverage configured to leave code out. Its
    points are set by the caller from the share of tests that can fail; a skip conditioned on
    the grading environment or coverage set to leave code out is gaming, worth 0. Tests whose
    subject is mocked away fail the check only when they leave fewer than half the tests
    (`share`, the share of the run's tests that can fail; counted statically without it):
    fewer, they earn nothing and the check says which."""
    title = "The candidate's tests can fail"
    hollow = hollow_tests(root, files)
    omits = coverage_omits(root, files)
    mocked = [h for h in hollow if "mocked" in h]
    classic = [h for h in hollow if "mocked" not in h]
    if share is None and mocked:
        total = count_tests(root, files)
        share = 1 - len(hollow) / total if total else 0.0
    evidence = {"hollow": hollow, "coverage_settings": omits}
    if mocked:
        evidence["mocked"] = [{"test": f"{m['file']}:{m['line']} {m['test']}",
                               "replaced": m["mocked"]} for m in mocked]
    if not hollow and not omits:
        return CheckResult.passed("tests.own.meaningful", "every test asserts something, "
                                  "none is skipped where it is graded", title=title)
    if not classic and not omits and share is not None and share >= 0.5:
        return CheckResult.passed(
            "tests.own.meaningful", "every test asserts something, but "
            + _mocked_words(mocked) + " and earn nothing", title=title, evidence=evidence)
    parts = [f"{len(classic)} hollow test(s): " + "; ".join(
        f"{h['test']} at {h['file']}:{h['line']} {h['why']}" for h in classic[:4])] \
        if classic else []
    if mocked:
        parts.append(_mocked_words(mocked) + ", so they cannot catch a bug in what they mock")
    if omits:
        parts.append("coverage configured to leave code out: " + "; ".join(
            f"{o['what']} ({o['file']})" for o in omits[:2]))
    return CheckResult.failed("tests.own.meaningful", "; ".join(parts), title=title,
                              evidence=evidence)


def _mocked_words(mocked: list[dict[str, object]]) -> str:
    """"N test(s) replace what they test with mocks: M run against a mocked data layer (x ->
    MagicMock() at f:3), the current user mocked too (...): test_a at f:1, test_b at f:9 and
    3 more", one cause after the other."""
    causes: dict[str, list[dict[str, object]]] = {}
    for m in mocked:
        causes.setdefault(str(m.get("cause") or m["why"]), []).append(m)
    parts = []
    for cause, tests in list(causes.items())[:2]:
        user = next((str(t["user"]) for t in tests if t.get("user")), "")
        named = ", ".join(f"{t['test']} at {t['file']}:{t['line']}" for t in tests[:2])
        more = f" and {len(tests) - 2} more" if len(tests) > 2 else ""
        verb = cause if len(tests) > 1 else cause.replace("run ", "runs ", 1).replace(
            "call ", "calls ", 1)
        parts.append(f"{len(tests)} {verb}" + (f", the current user mocked too ({user})"
                                                if user else "") + f": {named}{more}")
    rest = f" (and {len(causes) - 2} other cause(s))" if len(causes) > 2 else ""
    return (f"{len(mocked)} test(s) replace what they test with mocks: " + "; ".join(parts)
            + rest)


def _origin_in(symbols: Symbols) -> Origin:
    """Where a replaced name comes from, in the submission's modules: `get_db` imported by the
    test file from app.db, or `app.routers.notes.fetch_all` that notes.py imports from
    app.storage, give those modules (joined), for classify()."""
    def origin(rel: str, target: str) -> str:
        parts = [p for p in re.split(r"[.\[\]'\"()]+", target) if p]
        if not parts or not all(p.isidentifier() for p in parts):
            return ""
        imported = symbols.imports.get(rel, {}).get(parts[0])
        if imported is not None:
            parts = [*filter(None, [imported[0], imported[1]]), *parts[1:]]
            parts = ".".join(parts).split(".")
        found: list[str] = []
        module, name = ".".join(parts[:-1]), parts[-1]
        file = symbols.module_file(module) if module else None
        if file is not None:
            found.append(module)
            source = symbols.imports.get(file, {}).get(name)
            if source is not None:
                found.append(source[0])
        return ".".join(found)
    return origin
