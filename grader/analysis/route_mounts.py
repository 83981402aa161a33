"""Where routers, blueprints, namespaces and sub-applications are mounted, read with `ast`:
the URL prefix each one's routes get.

A router object is named by (file, variable) through grader.analysis.symbols, so a router
made in one module and mounted in another is followed. Its prefix is its own (given where it
is made) under the prefix it is mounted at, under its parent's:

- FastAPI `APIRouter(prefix=)`, `include_router(r, prefix=)`, `mount("/x", sub)`;
- Flask and Quart `Blueprint(url_prefix=)`, `register_blueprint(bp, url_prefix=)` (replaces
  the blueprint's own); Sanic `Blueprint(url_prefix=)`, `app.blueprint(bp)`;
- Flask-RESTX and Flask-RESTful `Api(app_or_blueprint, prefix=)`, `Namespace("items",
  path=)` (default "/items"), `api.namespace(...)`, `add_namespace(ns, path=)`;
- Django Ninja `add_router("/items", router)` (the router or its dotted name) and the API
  mounted in a urls.py (`path("api/", api.urls)`, given by routes.py);
- Litestar `Router(path=, route_handlers=[...])` over its handlers and controllers;
- aiohttp `add_subapp("/x", sub)`, `add_routes(table)`; Starlette `Mount("/x", app=sub)`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from grader.analysis.symbols import Key, Symbols


def join(prefix: str, path: str) -> str:
    if not prefix:
        return path
    return prefix.rstrip("/") + "/" + path.lstrip("/") if path else prefix


@dataclass(frozen=True)
class Edge:
    parent: Key | None
    at: str                # the prefix given where it is mounted
    replaces: bool = False  # `at` replaces the child's own prefix (Flask's url_prefix)


@dataclass
class Mounts:
    own: dict[Key, str] = field(default_factory=dict)
    edges: dict[Key, Edge] = field(default_factory=dict)

    def add_edge(self, child: Key | None, edge: Edge) -> None:
        if child is not None and child[0] != "module" and child != edge.parent:
            self.edges.setdefault(child, edge)

    def prefix(self, key: Key | None) -> str:
        """The full prefix of the routes declared on `key` (a router, blueprint, namespace,
        API object, Litestar handler or controller)."""
        parts: list[str] = []
        seen: set[Key] = set()
        while key is not None and key not in seen:
            seen.add(key)
            edge = self.edges.get(key)
            if edge is None or not edge.replaces:
                parts.append(self.own.get(key, ""))
            if edge is None:
                break
            parts.append(edge.at)
            key = edge.parent
        full = ""
        for part in reversed(parts):
            full = join(full, part)
        return full


def _kw(call: ast.Call, *names: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg in names), None)


def owner_key(symbols: Symbols, rel: str, value: ast.AST) -> Key | None:
    """The object a method is called on (`router` of `router.get(...)`; aiohttp's
    `app.router.add_get` belongs to `app`), by (file, name)."""
    if isinstance(value, ast.Attribute) and value.attr == "router":
        value = value.value
    return symbols.resolve(rel, value) or (
        (rel, value.id) if isinstance(value, ast.Name) else None)


def _owner(symbols: Symbols, rel: str, call: ast.Call) -> Key | None:
    if not isinstance(call.func, ast.Attribute):
        return None
    return owner_key(symbols, rel, call.func.value)


def _ref(symbols: Symbols, rel: str, node: ast.AST | None) -> Key | None:
    """A router argument: a name, a dotted attribute, or a dotted string (Ninja)."""
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return symbols.resolve_dotted(node.value)
    if isinstance(node, ast.Call):  # Resource(...), Controller() in a handler list
        node = node.func
    return symbols.resolve(rel, node) or ((rel, node.id) if isinstance(node, ast.Name)
                                          else None)


def _made(symbols: Symbols, rel: str, key: Key, call: ast.Call, mounts: Mounts) -> None:
    """The prefix an object gets where it is made: `X = Ctor(...)`."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else (
        func.id if isinstance(func, ast.Name) else "")
    own = symbols.const_str(rel, _kw(call, "prefix", "url_prefix"))
    if name in ("Namespace", "namespace"):
        title = symbols.const_str(rel, call.args[0]) if call.args else None
        given = symbols.const_str(rel, _kw(call, "path"))
        own = given if given is not None else (f"/{title}" if title else None)
        if name == "namespace":  # api.namespace("items"): made on, and mounted at, the api
            mounts.add_edge(key, Edge(_owner(symbols, rel, call), ""))
    elif name == "Router" and _kw(call, "route_handlers") is not None:  # Litestar
        own = symbols.const_str(rel, _kw(call, "path"))
    elif name == "Api" and call.args:  # Flask-RESTX/RESTful: under its blueprint
        mounts.add_edge(key, Edge(_ref(symbols, rel, call.args[0]), ""))
    if own is not None:
        mounts.own.setdefault(key, own)
    handlers = _kw(call, "route_handlers")
    if isinstance(handlers, ast.List | ast.Tuple) and name != "Litestar":
        for handler in handlers.elts:
            mounts.add_edge(_ref(symbols, rel, handler), Edge(key, ""))


def _mounted(symbols: Symbols, rel: str, call: ast.Call, mounts: Mounts) -> None:
    """`parent.include_router(child, prefix=)` and the like."""
    if not isinstance(call.func, ast.Attribute):
        return
    attr = call.func.attr
    parent = _owner(symbols, rel, call)
    first = call.args[0] if call.args else None
    second = call.args[1] if len(call.args) > 1 else None
    if attr == "include_router":
        at = symbols.const_str(rel, _kw(call, "prefix")) or ""
        mounts.add_edge(_ref(symbols, rel, first or _kw(call, "router")), Edge(parent, at))
    elif attr in ("register_blueprint", "add_namespace"):
        given = symbols.const_str(rel, _kw(call, "url_prefix", "path"))
        mounts.add_edge(_ref(symbols, rel, first), Edge(parent, given or "", given is not None))
    elif attr in ("blueprint", "add_routes") and isinstance(first, ast.Name):
        mounts.add_edge(_ref(symbols, rel, first), Edge(parent, ""))  # Sanic, aiohttp
    elif attr in ("add_router", "mount", "add_subapp"):
        mounted_at = symbols.const_str(rel, first if first is not None else _kw(
            call, "prefix", "path"))
        child = second if second is not None else _kw(call, "router", "app")
        if mounted_at is not None:
            mounts.add_edge(_ref(symbols, rel, child), Edge(parent, mounted_at))


def find_mounts(symbols: Symbols) -> Mounts:
    mounts = Mounts()
    for rel, tree in symbols.trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        key = symbols.resolve(rel, target) or (rel, target.id)
                        _made(symbols, rel, key, node.value, mounts)
            elif isinstance(node, ast.Call):
                _mounted(symbols, rel, node, mounts)
                func = node.func
                if isinstance(func, ast.Name) and func.id == "Mount" and node.args:
                    at = symbols.const_str(rel, node.args[0])
                    app = _kw(node, "app")
                    if at is not None and app is not None:
                        mounts.add_edge(_ref(symbols, rel, app), Edge(None, at))
    return mounts
