"""Facts about a submission's Python code, read with `ast` (parsing never executes code).

Produces the `static.*` checks every track shares: the code parses, tests are present, and
the share of functions with type hints (partial credit). Track-specific facts (framework,
row loops, serialization format) live beside the tracks that need them.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.analysis.sources import MAX_DEPTH, depth, syntax_tree
from grader.analysis.test_quality import is_test_module, pytest_file_patterns
from grader.checks import CheckResult

_MAX_FILE_BYTES = 1024 * 1024


@dataclass
class PythonFacts:
    python_files: list[str] = field(default_factory=list)
    syntax_errors: dict[str, str] = field(default_factory=dict)   # file -> "line N: msg"
    test_files: list[str] = field(default_factory=list)
    functions: int = 0
    annotated_functions: int = 0
    skipped_large: list[str] = field(default_factory=list)

    @property
    def type_hint_share(self) -> float:
        return self.annotated_functions / self.functions if self.functions else 0.0


def _is_test_file(rel: str, patterns: tuple[str, ...] = ()) -> bool:
    return is_test_module(rel, patterns) or PurePosixPath(rel).name == "conftest.py"


def _notebook_trees(path: Path, rel: str, facts: PythonFacts) -> list[ast.Module]:
    """A notebook's code cells, each parsed on its own (magics blanked)."""
    from grader.analysis import notebook_facts  # nbformat is only needed for notebooks

    nb, problem = notebook_facts.load_notebook(path)
    if nb is None:
        facts.syntax_errors[rel] = problem
        return []
    trees = []
    for cell in notebook_facts.cells(nb):
        if cell.kind != "code":
            continue
        tree = notebook_facts.parse_code(cell.source)
        if tree is None:
            facts.syntax_errors.setdefault(rel, f"cell {cell.index + 1} does not parse")
        else:
            trees.append(tree)
    return trees


def python_facts(root: Path, files: tuple[str, ...] | list[str]) -> PythonFacts:
    """Facts about the .py files and the code cells of the .ipynb notebooks in `files`."""
    facts = PythonFacts()
    patterns = pytest_file_patterns(root, files)
    for rel in files:
        if rel.endswith(".ipynb") and ".ipynb_checkpoints" not in rel:
            facts.python_files.append(rel)
            for tree in _notebook_trees(root / rel, rel, facts):
                _count_functions(tree, facts)
            continue
        if not rel.endswith(".py"):
            continue
        facts.python_files.append(rel)
        if _is_test_file(rel, patterns):
            facts.test_files.append(rel)
        path = root / rel
        if path.stat().st_size > _MAX_FILE_BYTES:
            facts.skipped_large.append(rel)
            continue
        try:
            tree = syntax_tree(path.read_bytes(), rel)
        except SyntaxError as exc:
            facts.syntax_errors[rel] = f"line {exc.lineno}: {exc.msg}"
            continue
        except ValueError as exc:  # null bytes
            facts.syntax_errors[rel] = str(exc)
            continue
        except (RecursionError, MemoryError):  # nested past what the parser can hold
            facts.syntax_errors[rel] = "nested too deeply to parse"
            continue
        if depth(tree) > MAX_DEPTH:
            facts.syntax_errors[rel] = f"nested more than {MAX_DEPTH} levels deep"
            continue
        if _is_test_file(rel, patterns):
            continue  # type hints are judged on the code under test
        _count_functions(tree, facts)
    return facts


def _count_functions(tree: ast.Module, facts: PythonFacts) -> None:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            facts.functions += 1
            args = [a for a in (*node.args.posonlyargs, *node.args.args,
                                *node.args.kwonlyargs) if a.arg not in ("self", "cls")]
            if node.returns is not None or any(a.annotation is not None for a in args):
                facts.annotated_functions += 1


def static_checks(facts: PythonFacts) -> list[CheckResult]:
    """The shared static checks, each with the facts behind it as evidence."""
    checks: list[CheckResult] = []
    if not facts.python_files:
        checks.append(CheckResult.failed("static.syntax", "no Python code of the candidate's "
                                         "own (starter-kit files are not counted)",
                                         title="Code parses", kind="static"))
    elif facts.syntax_errors:
        listed = "; ".join(f"{f} {e}" for f, e in sorted(facts.syntax_errors.items())[:5])
        checks.append(CheckResult.failed(
            "static.syntax", f"{len(facts.syntax_errors)} file(s) do not parse: {listed}",
            title="Code parses", kind="static", evidence={"errors": facts.syntax_errors}))
    else:
        checks.append(CheckResult.passed(
            "static.syntax", f"all {len(facts.python_files)} Python file(s) and notebook(s) parse",
            title="Code parses", kind="static"))
    if facts.test_files:
        checks.append(CheckResult.passed(
            "static.tests-present", f"{len(facts.test_files)} test file(s)",
            title="Tests present", kind="static", evidence={"files": facts.test_files[:50]}))
    else:
        checks.append(CheckResult.failed("static.tests-present", "no test files of the "
                                         "candidate's own (the kit's public test is not counted)",
                                         title="Tests present", kind="static"))
    share = facts.type_hint_share
    message = (f"{facts.annotated_functions} of {facts.functions} function(s) have type hints"
               if facts.functions else "no functions to judge")
    checks.append(CheckResult(id="static.type-hints",
                              status="passed" if share >= 0.8 else "failed", points=share,
                              max_points=1.0, title="Type hints", message=message,
                              kind="static"))
    return checks
