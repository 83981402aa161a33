"""Static facts about a Jupyter notebook, read on the host without running it.

Code cells are parsed with `ast` after IPython magics and shell escapes are blanked out; a
cell that does not parse, or nests deeper than the analyses can follow (sources.MAX_DEPTH), is
skipped (running it shows the error). The facts a senior data scientist looks at first:
row-by-row loops over DataFrames, whether SQL answers the question that asks for it, the
markdown narrative under each question, and whether the saved notebook was run top to bottom
(execution counts in order); and one a grader needs: where the code takes over the signals
that stop a cell, signals other processes or forks (`process_control`).

Notebooks and every JSON document a notebook run writes are candidate data: they are read by
`grader.candidate_json.load_json`, within a size cap and a nesting depth.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import nbformat

from grader.analysis.sources import parse_python, syntax_tree
from grader.candidate_json import load_json

MAX_NOTEBOOK_BYTES = 16 * 1024 * 1024
#: a notebook is ~6 levels deep (cells, outputs, data, metadata); widget state goes deeper
MAX_NOTEBOOK_DEPTH = 64
_MAGIC = re.compile(r"^\s*[%!?]")
_SQL = re.compile(r"\bselect\b[\s\S]+\bfrom\b", re.IGNORECASE)
_SQL_CALLS = {"read_sql", "read_sql_query", "execute", "executescript", "sql", "query",
              "read_database", "read_database_uri", "executemany"}
_SQL_WORK = re.compile(r"\b(where|join|group\s+by|having|union|intersect|except|over\s*\(|"
                       r"with\s+\w+\s+as)\b")
_SQL_AGGREGATE = re.compile(r"\b(sum|count|avg|min|max|total|group_concat)\s*\(")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'%.,-]*")
#: hypothesis tests of scipy.stats and statsmodels (a z-test by hand: norm.sf / norm.cdf)
_TESTS = {"chi2_contingency", "fisher_exact", "ttest_ind", "ttest_rel", "ttest_1samp",
          "mannwhitneyu", "wilcoxon", "ranksums", "kruskal", "ks_2samp", "chisquare",
          "binomtest", "binom_test", "barnard_exact", "boschloo_exact", "brunnermunzel",
          "permutation_test", "proportions_ztest", "proportions_chisquare",
          "test_proportions_2indep", "ztest", "ttest_ind_from_stats"}
_SMALLEST = {"min", "idxmin", "nsmallest", "argmin"}


@dataclass(frozen=True)
class Cell:
    index: int          # position in the notebook (all cells)
    kind: str           # code | markdown | raw
    source: str


def read_notebook(raw: bytes, name: str) -> tuple[Any, str]:
    """(notebook, "") or (None, why `raw` is not a notebook grader can read)."""
    value, why = load_json(raw, MAX_NOTEBOOK_BYTES, MAX_NOTEBOOK_DEPTH, name)
    if why:
        return None, why.replace("is not valid JSON", "is not a notebook (not valid JSON)")
    if not isinstance(value, dict):
        return None, f"{name} is not a notebook: a JSON {type(value).__name__}"
    try:
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
    except Exception as exc:  # nbformat raises several types on malformed notebooks
        return None, f"{name} is not a notebook: {type(exc).__name__}: {exc}"[:300]
    return nb, ""


def load_notebook(path: Path) -> tuple[Any, str]:
    """(notebook, "") or (None, why it cannot be read)."""
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            return None, f"{path.name} is larger than {MAX_NOTEBOOK_BYTES // 2**20} MiB"
        raw = path.read_bytes()
    except OSError as exc:
        return None, f"{path.name} cannot be read: {exc}"
    return read_notebook(raw, path.name)


def cells(nb: Any) -> list[Cell]:
    out = []
    for i, cell in enumerate(nb.get("cells", [])):
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(source)
        out.append(Cell(i, str(cell.get("cell_type", "")), str(source)))
    return out


@lru_cache(maxsize=256)
def parse_code(source: str) -> ast.Module | None:
    """The cell's tree (magics and shell escapes blanked), or None: it does not parse, or it
    nests deeper than the analyses can walk (sources.parse_python)."""
    return parse_python(_blank_magics(source), "<cell>")


def _blank_magics(source: str) -> str:
    return "\n".join("" if _MAGIC.match(line) else line for line in source.splitlines())


def too_deep_cells(all_cells: list[Cell]) -> list[int]:
    """Indexes of the code cells nested deeper than a reader of Python code can follow
    (sources.MAX_DEPTH, or past the parser's own recursion): a linter would overflow its
    stack on them (a cell with a mere syntax error is not one)."""
    out = []
    for cell in all_cells:
        if cell.kind != "code" or parse_code(cell.source) is not None:
            continue
        try:
            syntax_tree(_blank_magics(cell.source))
        except SyntaxError as exc:  # CPython's tokenizer stops at 200 nested brackets
            if "too many nested" not in str(exc.msg):
                continue
        except ValueError:
            continue
        except (RecursionError, MemoryError):
            pass
        out.append(cell.index)
    return out


def _names(node: ast.AST) -> set[str]:
    return {n.attr if isinstance(n, ast.Attribute) else n.id for n in ast.walk(node)
            if isinstance(n, ast.Attribute | ast.Name)}


def process_control(all_cells: list[Cell]) -> list[dict[str, Any]]:
    """Where the code takes over what stops a runaway cell or the grader's runner: a handler
    or mask for SIGINT / SIGTERM (`signal.signal(SIGINT, SIG_IGN)`, `pthread_sigmask`; kind
    "signal"; restoring the default is not), a signal sent to another process (`os.kill`,
    `os.killpg`; kind "kill"), a fork (`os.fork`; kind "fork")."""
    found: list[dict[str, Any]] = []
    for cell in all_cells:
        tree = parse_code(cell.source) if cell.kind == "code" else None
        for node in ast.walk(tree) if tree is not None else ():
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name)):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            kind, what = "", ""
            stops = sorted(_names(node) & {"SIGINT", "SIGTERM"})
            if name in ("signal", "pthread_sigmask", "sigprocmask") and stops and not (
                    name == "signal" and len(node.args) > 1
                    and _names(node.args[1]) & {"SIG_DFL", "default_int_handler"}):
                kind, what = "signal", f"{name}({', '.join(stops)}, ...)"
            elif name in ("kill", "killpg") and "os" in _names(node.func):
                kind, what = "kill", ast.unparse(node)[:80]
            elif name in ("fork", "forkpty") and "os" in _names(node.func):
                kind, what = "fork", f"os.{name}()"
            if kind:
                found.append({"cell": cell.index, "line": node.lineno, "kind": kind,
                              "what": what})
    return found[:30]


def tests_run(section: list[Cell]) -> dict[str, Any]:
    """The hypothesis tests the code cells call (`tests`: names in order, `cells`: where), and
    where the code takes the smallest of something (`smallest`: "cell N, line L", `min(...)`,
    `.idxmin()`, `.nsmallest()`): the pattern of trying several tests and keeping the best."""
    tests: dict[str, int] = {}
    smallest = ""
    for cell in section:
        tree = parse_code(cell.source) if cell.kind == "code" else None
        calls = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Call)) if tree else (),
                       key=lambda n: (n.lineno, n.col_offset))
        for node in calls:
            if not isinstance(node.func, ast.Attribute | ast.Name):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            if name in ("sf", "cdf") and "norm" in _names(node.func):
                name = f"norm.{name}"
            if name in _TESTS or name.startswith("norm."):
                tests.setdefault(name, cell.index)
            elif name in _SMALLEST and not smallest:
                smallest = f"cell {cell.index + 1}, line {node.lineno}"
    return {"tests": list(tests), "cells": sorted(set(tests.values())), "smallest": smallest}


def code_lines(all_cells: list[Cell]) -> int:
    return sum(1 for c in all_cells if c.kind == "code" for line in c.source.splitlines()
               if line.strip())


def _is_row_apply(node: ast.Call) -> bool:
    if not (isinstance(node.func, ast.Attribute) and node.func.attr == "apply"):
        return False
    for kw in node.keywords:
        if kw.arg == "axis" and isinstance(kw.value, ast.Constant) and kw.value.value in (
                1, "columns"):
            return True
    return False


def row_loops(all_cells: list[Cell], name: str) -> list[dict[str, object]]:
    """pandas: `.iterrows()`, `.itertuples()`, `.apply(..., axis=1)`; polars: `.map_rows()`
    and a loop (or comprehension) over `.iter_rows()`; any library: `for i in range(len(df))`.
    polars' `iter_rows()` outside a loop (`dict(counts.iter_rows())` of a small aggregate)
    is no row loop."""
    found: list[dict[str, object]] = []
    for cell in all_cells:
        tree = parse_code(cell.source) if cell.kind == "code" else None
        if tree is None:
            continue
        looped = {id(n.iter) for n in ast.walk(tree) if isinstance(n, ast.For | ast.comprehension)}
        for node in ast.walk(tree):
            what = ""
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in ("iterrows", "itertuples", "map_rows"):
                    what = f".{node.func.attr}()"
                elif node.func.attr == "iter_rows" and id(node) in looped:
                    what = "for ... in .iter_rows()"
                elif _is_row_apply(node):
                    what = ".apply(..., axis=1)"
            elif isinstance(node, ast.For) and isinstance(node.iter, ast.Call) and isinstance(
                    node.iter.func, ast.Name) and node.iter.func.id == "range" and any(
                    isinstance(a, ast.Call) and isinstance(a.func, ast.Name)
                    and a.func.id == "len" for a in node.iter.args):
                what = "for ... in range(len(...))"
            if what:
                found.append({"file": f"{name} cell {cell.index + 1}",
                              "line": getattr(node, "lineno", 0), "what": what})
    return found[:50]


def _level(cell: Cell) -> int:
    """The level of the heading a markdown cell opens with (0: none)."""
    m = re.match(r"\s*(#{1,6})\s", cell.source) if cell.kind == "markdown" else None
    return len(m.group(1)) if m else 0


def sections(all_cells: list[Cell], headings: dict[str, str]) -> dict[str, list[Cell]]:
    """question id -> the cells from its heading's markdown cell up to the next question's
    heading, or the next heading of the same or a higher level (a closing "## Summary").
    A question whose heading is not found gets no section."""
    starts: list[tuple[int, str]] = []
    for qid, pattern in headings.items():
        rx = re.compile(pattern, re.IGNORECASE | re.MULTILINE)
        hit = next((c.index for c in all_cells if c.kind == "markdown" and rx.search(c.source)),
                   None)
        if hit is not None:
            starts.append((hit, qid))
    starts.sort()
    out: dict[str, list[Cell]] = {}
    for n, (start, qid) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(all_cells)
        level = _level(all_cells[start]) or 6
        end = next((c.index for c in all_cells[start + 1:end] if 0 < _level(c) <= level), end)
        out[qid] = all_cells[start:end]
    return out


def narrative_words(section: list[Cell], ignore: list[str]) -> int:
    """Words of markdown written under a question: the heading cell itself and the kit's
    placeholder texts (`ignore`) do not count."""
    words = 0
    for cell in section[1:]:
        if cell.kind != "markdown":
            continue
        text = cell.source
        for placeholder in ignore:
            text = text.replace(placeholder, " ")
        text = re.sub(r"```[\s\S]*?```", " ", text)
        words += len(_WORD.findall(text))
    return words


def string_value(node: ast.AST | None, names: dict[str, str]) -> str | None:
    """The string an expression builds, as far as it is written out: literals, f-strings
    (values as {}), concatenation, `textwrap.dedent`/`.strip()`, names assigned a string."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) and isinstance(v.value, str)
                       else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = string_value(node.left, names), string_value(node.right, names)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.Name):
        return names.get(node.id)
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in ("strip", "format", "replace"):
            return string_value(func.value, names)
        if isinstance(func, ast.Attribute | ast.Name) and (
                func.attr if isinstance(func, ast.Attribute) else func.id) in ("dedent", "text"):
            return string_value(node.args[0], names) if node.args else None
    return None


def string_names(all_cells: list[Cell]) -> dict[str, str]:
    """name -> the string last assigned to it, over the whole notebook."""
    names: dict[str, str] = {}
    for cell in all_cells:
        tree = parse_code(cell.source) if cell.kind == "code" else None
        for node in ast.walk(tree) if tree is not None else ():
            if isinstance(node, ast.Assign):
                text = string_value(node.value, names)
                if text is not None:
                    names.update({t.id: text for t in node.targets if isinstance(t, ast.Name)})
    return names


def sql_is_loader(query: str) -> bool:
    """A query that only loads a table: no filter, join, grouping or aggregate."""
    text = re.sub(r"--[^\n]*|/\*[\s\S]*?\*/", " ", query).lower()
    return not (_SQL_WORK.search(text) or _SQL_AGGREGATE.search(text))


def uses_sql(section: list[Cell], names: dict[str, str] | None = None) -> list[dict[str, object]]:
    """Where a SELECT ... FROM string is passed to a SQL-running call in these cells (and
    `read_sql_table`), each with `loader`: the query only loads a table."""
    names = names if names is not None else string_names(section)
    found: list[dict[str, object]] = []
    for cell in section:
        tree = parse_code(cell.source) if cell.kind == "code" else None
        if tree is None:
            continue
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name)):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            if name == "read_sql_table":
                found.append({"file": f"cell {cell.index + 1}", "line": node.lineno,
                              "what": "read_sql_table(...)", "loader": True, "query": ""})
                continue
            if name not in _SQL_CALLS:
                continue
            for arg in [*node.args, *(kw.value for kw in node.keywords)]:
                query = string_value(arg, names)
                if query is not None and _SQL.search(query):
                    found.append({"file": f"cell {cell.index + 1}", "line": node.lineno,
                                  "what": f"{name}(SELECT ...)", "loader": sql_is_loader(query),
                                  "query": " ".join(query.split())[:160]})
                    break
    return found


def execution_order(nb: Any) -> tuple[bool, list[int | None]]:
    """(ran top to bottom, execution counts of the code cells as saved). A notebook saved
    with outputs cleared (no counts) is in order."""
    counts = [c.get("execution_count") for c in nb.get("cells", [])
              if c.get("cell_type") == "code"]
    seen = [n for n in counts if isinstance(n, int)]
    return all(b > a for a, b in pairwise(seen)), counts
