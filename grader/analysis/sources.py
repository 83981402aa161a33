"""The submission's Python sources as syntax trees: parsed with `ast` (never imported or
run), files over 1 MiB, files that do not parse and trees nested deeper than the analyses'
recursion can follow skipped (python_facts reports those)."""

from __future__ import annotations

import ast
import threading
from collections.abc import Iterator
from pathlib import Path

MAX_SOURCE_BYTES = 1024 * 1024
MAX_DEPTH = 200  # real code nests a few dozen levels; recursive analyses stay far from limits


# CPython 3.11 keeps the AST builder's recursion count per interpreter, not per thread: two
# threads parsing at once (`grader run --jobs 2` grades submissions in threads) can raise
# "SystemError: AST constructor recursion depth mismatch" (CPython gh-106905). Every parse in
# grader goes through syntax_tree, one at a time.
_PARSE_LOCK = threading.Lock()


def syntax_tree(source: bytes | str, filename: str = "<unknown>") -> ast.Module:
    """ast.parse, serialised across threads; raises what ast.parse raises."""
    with _PARSE_LOCK:
        return ast.parse(source, filename=filename)


def depth(tree: ast.AST) -> int:
    """How deeply the tree nests (computed without recursion)."""
    deepest = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            return level
        stack.extend((child, level + 1) for child in ast.iter_child_nodes(node))
    return deepest


def parse_python(source: bytes | str, filename: str = "<submission>") -> ast.Module | None:
    """The module's tree, or None when it does not parse or nests past MAX_DEPTH."""
    try:
        tree = syntax_tree(source, filename)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return tree if depth(tree) <= MAX_DEPTH else None


def too_deep(source: bytes | str) -> bool:
    """True when the source parses only past MAX_DEPTH or past Python's own recursion (a
    tool that walks trees recursively, ruff included, would overflow its stack on it)."""
    try:
        tree = syntax_tree(source)
    except SyntaxError:
        return False
    except (ValueError, RecursionError, MemoryError):
        return True
    return depth(tree) > MAX_DEPTH


def python_trees(root: Path, files: tuple[str, ...] | list[str]) -> Iterator[tuple[str,
                                                                                    ast.Module]]:
    for rel in files:
        if not rel.endswith(".py") or (root / rel).stat().st_size > MAX_SOURCE_BYTES:
            continue
        tree = parse_python((root / rel).read_bytes(), rel)
        if tree is not None:
            yield rel, tree
