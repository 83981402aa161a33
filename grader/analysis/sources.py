"""The submission's Python sources as syntax trees: parsed with `ast` (never imported or
run), files over 1 MiB and files that do not parse skipped (python_facts reports those)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

MAX_SOURCE_BYTES = 1024 * 1024


def python_trees(root: Path, files: tuple[str, ...] | list[str]) -> Iterator[tuple[str,
                                                                                    ast.Module]]:
    for rel in files:
        if not rel.endswith(".py") or (root / rel).stat().st_size > MAX_SOURCE_BYTES:
            continue
        try:
            yield rel, ast.parse((root / rel).read_bytes(), filename=rel)
        except (SyntaxError, ValueError):
            continue
