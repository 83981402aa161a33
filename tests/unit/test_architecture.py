"""The shape of the code: grader's modules import each other without a cycle (the pictured
data flow intake -> challenge -> track -> analysis -> rubric -> report holds), no module is
over ~400 lines, every module says what it is for, and challenges stay data."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import ROOT

GRADER = ROOT / "grader"
MAX_LINES = 400
# Scripts copied into containers run with the image's Python, outside the package.
IN_CONTAINER = {"grader.tracks.backend.tester.run_hidden",
                "grader.tracks.backend.tester.results_plugin",
                "grader.tracks.mle.prober.probe", "grader.tracks.notebook.run_notebook",
                "grader.tracks.steps.own_tests_runner"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in GRADER.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(tree: ast.Module, module: str, is_package: bool) -> Iterator[str]:
    """Modules imported statically (function-level imports included, `if TYPE_CHECKING:`
    blocks excluded: they never run)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(n) for child in node.body for n in ast.walk(child)}
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph() -> dict[str, set[str]]:
    """module -> grader modules it imports (and their packages, which an import runs first),
    leaving out a module's own enclosing packages (being initialised, never a real cycle)."""
    modules = _modules()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in modules.items():
        tree = ast.parse(path.read_bytes())
        own_packages = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 1)}
        for name in _imports(tree, module, path.name == "__init__.py"):
            parts = name.split(".")
            for i in range(1, len(parts) + 1):
                target = ".".join(parts[:i])
                if target in modules and target != module and target not in own_packages:
                    graph[module].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_grader_has_no_import_cycle() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_challenge_loading_does_not_import_the_tracks() -> None:
    """Tracks import grader.challenge; challenge finds them through the registry, by name."""
    graph = import_graph()
    assert not any(t.startswith("grader.tracks") for t in graph["grader.challenge"])
    assert not any(t.startswith("grader.tracks") for t in graph["grader.registry"])
    assert "grader.challenge" not in graph["grader.sandbox.engine"]


def test_no_module_is_over_400_lines_and_each_says_what_it_is_for() -> None:
    for module, path in _modules().items():
        lines = path.read_text().count("\n")
        assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines"
        if module not in IN_CONTAINER and lines > 5:
            assert ast.get_docstring(ast.parse(path.read_bytes())), f"{module} has no docstring"


def test_no_renderer_runs_docker_and_the_rubric_stays_pure() -> None:
    graph = import_graph()
    for module in ("grader.rubric", "grader.report.model", "grader.report.markdown",
                   "grader.report.html", "grader.report.gradescope"):
        reachable, todo = set(), [module]
        while todo:
            for nxt in graph[todo.pop()]:
                if nxt not in reachable:
                    reachable.add(nxt)
                    todo.append(nxt)
        assert not any(m.startswith(("grader.sandbox.docker", "grader.tracks"))
                       for m in reachable), module


def test_grader_names_no_challenge() -> None:
    """Challenges are data: no module of grader knows a bundled challenge's columns, answers or
    domain (help texts may name the test challenge as an example)."""
    for path in GRADER.rglob("*.py"):
        text = path.read_text()
        for word in ("churn", "account_ref", "tenure_months", "march_revenue", "ab_test",
                     "refund", "/notes"):
            assert word not in text.lower(), f"{path.relative_to(ROOT)} mentions {word!r}"


def test_every_parse_in_the_host_process_goes_through_the_lock() -> None:
    """Submissions are graded in threads (--jobs), and CPython 3.11's ast.parse is not safe
    across threads (gh-106905: "AST constructor recursion depth mismatch"): grader parses
    only through grader.analysis.sources.syntax_tree, which serialises the calls."""
    for module, path in _modules().items():
        if module in IN_CONTAINER or module == "grader.analysis.sources":
            continue
        for node in ast.walk(ast.parse(path.read_bytes())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr == "parse" and isinstance(node.func.value, ast.Name) \
                    and node.func.value.id == "ast":
                raise AssertionError(f"{path.relative_to(ROOT)}:{node.lineno} calls ast.parse")
