"""Which web framework a submission uses, read from its imports (repo2docker-style detect)."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

KNOWN = ("fastapi", "flask", "django")


def detect_framework(root: Path, files: tuple[str, ...] | list[str]) -> tuple[str | None,
                                                                              dict[str, int]]:
    """(framework or None, import counts per framework). Django wins when manage.py is there."""
    counts: Counter[str] = Counter()
    for rel in files:
        if not rel.endswith(".py") or (root / rel).stat().st_size > 1024 * 1024:
            continue
        try:
            tree = ast.parse((root / rel).read_bytes())
        except (SyntaxError, ValueError):
            continue
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
