"""Find the handler behind an HTTP route, statically, for the common Python web frameworks
(FastAPI, Flask and Flask-RESTX/RESTful, Quart, Sanic, aiohttp, Falcon, Starlette, Litestar,
Django, DRF and Django Ninja; the styles are read in grader.analysis.route_styles,
route_classes and route_django, the prefixes routers are mounted at in route_mounts).

Used to point a failed hidden test at the file and line of the handler that answered it.
Only `ast` is used: nothing the candidate wrote is imported or run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from grader.analysis.route_classes import resource_routes
from grader.analysis.route_django import django_routes
from grader.analysis.route_mounts import Edge, find_mounts, join
from grader.analysis.route_styles import Found, call_routes, decorator_routes
from grader.analysis.sources import python_trees
from grader.analysis.symbols import Symbols

_PARAM = re.compile(r"\{[^}/]+\}|<(?:[^:>]+:)?[^>]+>|\(\?P<[^>]+>[^)]*\)")


@dataclass(frozen=True)
class Route:
    methods: frozenset[str]      # empty: any method
    path: str
    file: str
    line: int
    handler: str
    is_async: bool

    def matches(self, method: str, path: str) -> bool:
        if self.methods and method.lower() not in self.methods:
            return False
        pattern = "^" + "[^/]+".join(re.escape(p.rstrip("/")) if i == len(parts) - 1
                                     else re.escape(p)
                                     for parts in [_PARAM.split(self.path)]
                                     for i, p in enumerate(parts)) + "/?$"
        return re.match(pattern, path.split("?")[0]) is not None


def find_routes(root: Path, files: tuple[str, ...] | list[str]) -> list[Route]:
    """Every route the submission declares (best effort; unparseable files are skipped), in
    any of the styles grader.analysis.route_styles, route_classes and route_django read,
    each under the prefix its router is mounted at (grader.analysis.route_mounts)."""
    symbols = Symbols(dict(python_trees(root, files)))
    mounts = find_mounts(symbols)
    found: list[Found] = []
    for rel, tree in symbols.trees.items():
        found += decorator_routes(symbols, rel, tree)
        found += call_routes(symbols, rel, tree)
        found += resource_routes(symbols, rel, tree)
    django, mounted = django_routes(symbols)
    for key, prefix in mounted:
        mounts.add_edge(key, Edge(None, prefix))
    found = [replace(f, path=join(mounts.prefix(f.owner), f.path)) if f.owner else f
             for f in found] + django
    unique = {(f.path, f.methods, f.file, f.line): f for f in found}
    return [Route(f.methods, "/" + f.path.lstrip("/"), f.file, f.line, f.handler, f.is_async)
            for f in unique.values()]


def handler_for(routes: list[Route], method: str, path: str) -> Route | None:
    """The most specific route answering METHOD PATH (literal segments beat parameters)."""
    candidates = [r for r in routes if r.matches(method, path)]
    if not candidates:
        return None
    return max(candidates, key=lambda r: (len(_PARAM.sub("", r.path)), bool(r.methods)))
