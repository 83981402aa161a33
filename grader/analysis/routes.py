"""Find the handler behind an HTTP route, statically, for the common Python web frameworks
(FastAPI, Flask, Quart, Sanic, aiohttp, Falcon, Starlette, Litestar, Django and DRF; the styles
are read in grader.analysis.route_styles).

Used to point a failed hidden test at the file and line of the handler that answered it.
Only `ast` is used: nothing the candidate wrote is imported or run.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from grader.analysis import route_styles as styles
from grader.analysis.sources import python_trees

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
    any of the styles grader.analysis.route_styles reads."""
    trees = dict(python_trees(root, files))
    defs = styles.definitions(trees)
    found: list[styles.Found] = []
    for rel, tree in trees.items():
        found += styles.decorator_routes(tree, rel)
        found += styles.call_routes(tree, rel, defs)
    found += _django(trees, defs)
    unique = {(f.path, f.methods, f.file, f.line): f for f in found}
    return [Route(f.methods, "/" + f.path.lstrip("/"), f.file, f.line, f.handler, f.is_async)
            for f in unique.values()]


def _django(trees: dict[str, ast.Module], defs: dict[str, styles.Def]) -> list[styles.Found]:
    """Each urls.py read once, under the prefix the include() chain above it gives."""
    urls = {rel: tree for rel, tree in trees.items() if rel.endswith("urls.py")}
    module_of = {rel.removesuffix(".py").replace("/", "."): rel for rel in urls}
    parent: dict[str, tuple[str, str]] = {}  # included file -> (includer, prefix there)
    for rel, tree in urls.items():
        for module, prefix in styles.django_routes(tree, rel, defs, "")[1].items():
            target = module_of.get(module) or next(
                (r for m, r in module_of.items() if m.endswith("." + module)), None)
            if target and target != rel:
                parent.setdefault(target, (rel, prefix))

    def full_prefix(rel: str) -> str:
        parts, seen = [], {rel}
        while rel in parent:
            rel, prefix = parent[rel]
            if rel in seen:
                break
            seen.add(rel)
            parts.append(prefix)
        return "/".join(p.strip("/") for p in reversed(parts) if p.strip("/"))

    routes: list[styles.Found] = []
    for rel, tree in urls.items():
        routes += styles.django_routes(tree, rel, defs, full_prefix(rel))[0]
    return routes


def handler_for(routes: list[Route], method: str, path: str) -> Route | None:
    """The most specific route answering METHOD PATH (literal segments beat parameters)."""
    candidates = [r for r in routes if r.matches(method, path)]
    if not candidates:
        return None
    return max(candidates, key=lambda r: (len(_PARAM.sub("", r.path)), bool(r.methods)))
