"""Which web framework a submission uses, read from its imports (repo2docker-style detect)."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

from grader.analysis.sources import python_trees

KNOWN = ("fastapi", "flask", "django")


def detect_framework(root: Path, files: tuple[str, ...] | list[str]) -> tuple[str | None,
                                                                              dict[str, int]]:
    """(framework or None, import counts per framework). Django wins when manage.py is there."""
    counts: Counter[str] = Counter()
    for _, tree in python_trees(root, files):
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top in KNOWN:
                    counts[top] += 1
    if "manage.py" in files and counts["django"]:
        return "django", dict(counts)
    if not counts:
        return None, {}
    return counts.most_common(1)[0][0], dict(counts)
