"""Which web framework a submission uses, read from its imports (repo2docker-style detect).

Known: FastAPI, Flask (and Flask-RESTX and Flask-RESTful, reported as flask), Django (and
Django REST framework and Django Ninja, reported as django), Starlette, Litestar, aiohttp,
Sanic, Falcon and Quart. A framework built on another wins over it when
both are imported (FastAPI over Starlette, Quart over Flask-style helpers); Django wins when
manage.py is there.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

from grader.analysis.sources import python_trees

KNOWN = ("fastapi", "flask", "django", "starlette", "litestar", "aiohttp", "sanic", "falcon",
         "quart")
#: Import roots that mean a framework: DRF and Ninja are Django, Flask-RESTX and
#: Flask-RESTful are Flask, Starlette's own apps are starlette.
_ROOTS = {name: name for name in KNOWN} | {"rest_framework": "django", "ninja": "django",
                                          "flask_restx": "flask", "flask_restful": "flask"}
#: When both are imported, the first is the framework (it is built on the second).
_BUILT_ON = (("fastapi", "starlette"), ("litestar", "starlette"), ("quart", "flask"))
NAMES = {"fastapi": "FastAPI", "flask": "Flask", "django": "Django", "starlette": "Starlette",
         "litestar": "Litestar", "aiohttp": "aiohttp", "sanic": "Sanic", "falcon": "Falcon",
         "quart": "Quart"}


def detect_framework(root: Path, files: tuple[str, ...] | list[str]) -> tuple[str | None,
                                                                              dict[str, int]]:
    """(framework or None, import counts per framework)."""
    counts: Counter[str] = Counter()
    for _, tree in python_trees(root, files):
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                top = _ROOTS.get(name.split(".")[0])
                if top:
                    counts[top] += 1
    if not counts:
        return None, {}
    if counts["django"] and any(f == "manage.py" or f.endswith("/manage.py") for f in files):
        return "django", dict(counts)
    for framework, base in _BUILT_ON:
        if counts[framework]:
            counts.pop(base, None)
    return counts.most_common(1)[0][0], dict(counts)
