"""Find the handler behind an HTTP route, statically, for FastAPI, Flask and Django code.

Used to point a failed hidden test at the file and line of the handler that answered it.
Only `ast` is used: nothing the candidate wrote is imported or run.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from grader.analysis.sources import python_trees

_METHODS = {"get", "post", "put", "patch", "delete", "head", "options"}
_PARAM = re.compile(r"\{[^}/]+\}|<(?:[^:>]+:)?[^>]+>")


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


def _const_str(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _prefixes(tree: ast.Module) -> dict[str, str]:
    """Variable name -> prefix, for `router = APIRouter(prefix=...)` / Blueprint(url_prefix=)."""
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            for kw in node.value.keywords:
                if kw.arg in ("prefix", "url_prefix") and _const_str(kw.value) is not None:
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            found[target.id] = _const_str(kw.value) or ""
    return found


def _decorator_routes(tree: ast.Module, rel: str) -> list[Route]:
    prefixes = _prefixes(tree)
    routes: list[Route] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for dec in node.decorator_list:
            if not (isinstance(dec, ast.Call) and isinstance(dec.func, ast.Attribute)):
                continue
            attr = dec.func.attr
            path = _const_str(dec.args[0]) if dec.args else None
            if path is None:
                path = next((_const_str(k.value) for k in dec.keywords if k.arg in
                             ("path", "rule")), None)
            if path is None:
                continue
            owner = dec.func.value.id if isinstance(dec.func.value, ast.Name) else ""
            methods: set[str] = set()
            if attr in _METHODS:
                methods = {attr}
            elif attr in ("route", "api_route"):
                for kw in dec.keywords:
                    if kw.arg == "methods" and isinstance(kw.value, ast.List | ast.Tuple):
                        methods = {m.lower() for m in (_const_str(e) for e in kw.value.elts)
                                   if m}
                if attr == "route" and not methods:
                    methods = {"get"}
            else:
                continue
            routes.append(Route(frozenset(methods), prefixes.get(owner, "") + path, rel,
                                node.lineno, node.name,
                                isinstance(node, ast.AsyncFunctionDef)))
    return routes


def _django_routes(tree: ast.Module, rel: str, defs: dict[str, tuple[str, int, bool]]
                   ) -> list[Route]:
    routes: list[Route] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in ("path", "re_path") and len(node.args) >= 2):
            continue
        path = _const_str(node.args[0])
        view = node.args[1]
        name = None
        if isinstance(view, ast.Attribute):
            name = view.attr
        elif isinstance(view, ast.Name):
            name = view.id
        elif isinstance(view, ast.Call) and isinstance(view.func, ast.Attribute):
            # SomeView.as_view()
            inner = view.func.value
            name = inner.attr if isinstance(inner, ast.Attribute) else (
                inner.id if isinstance(inner, ast.Name) else None)
        if path is None or name is None or name not in defs:
            continue
        file, line, is_async = defs[name]
        routes.append(Route(frozenset(), "/" + path.lstrip("^").rstrip("$"), file, line,
                            name, is_async))
    return routes


def find_routes(root: Path, files: tuple[str, ...] | list[str]) -> list[Route]:
    """Every route the submission declares (best effort; unparseable files are skipped)."""
    trees = dict(python_trees(root, files))
    defs: dict[str, tuple[str, int, bool]] = {}
    for rel, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                defs.setdefault(node.name, (rel, node.lineno,
                                            isinstance(node, ast.AsyncFunctionDef)))
    routes: list[Route] = []
    for rel, tree in trees.items():
        routes += _decorator_routes(tree, rel)
        if rel.endswith("urls.py"):
            routes += _django_routes(tree, rel, defs)
    return routes


def handler_for(routes: list[Route], method: str, path: str) -> Route | None:
    """The most specific route answering METHOD PATH (literal segments beat parameters)."""
    candidates = [r for r in routes if r.matches(method, path)]
    if not candidates:
        return None
    return max(candidates, key=lambda r: (len(_PARAM.sub("", r.path)), bool(r.methods)))
