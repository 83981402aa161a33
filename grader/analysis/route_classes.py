"""Class-based resources, read with `ast` (grader.analysis.routes assembles them):

- Flask-RESTX and Flask-RESTful: `api.add_resource(ItemList, "/items", "/items/")` and
  `@ns.route("/items/<int:item_id>")` on a `Resource` class (one route per `get`/`post`/...
  method it defines), under the api's or namespace's prefix;
- Falcon: `app.add_route("/items", ItemsResource())` (or a variable holding one) with its
  responders `on_get`, `on_post`...; with `suffix="item"`, `on_get_item`...;
- aiohttp's `router.add_route("GET", "/x", handler)` (the method first), Sanic's
  `app.add_route(ItemsView.as_view(), "/items")` (the handler first; HTTPMethodView methods),
  and FastAPI's `add_api_route("/x", f, methods=[..])`.
"""

from __future__ import annotations

import ast

from grader.analysis.route_mounts import owner_key
from grader.analysis.route_styles import METHODS, Found, class_routes, method_list
from grader.analysis.symbols import Key, Symbols, def_of


def _owner(symbols: Symbols, rel: str, node: ast.AST) -> Key | None:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return owner_key(symbols, rel, node.func.value)
    return None


def _kw(call: ast.Call, *names: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg in names), None)


def resource_routes(symbols: Symbols, rel: str, tree: ast.Module) -> list[Found]:
    routes: list[Found] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            routes += _decorated_class(symbols, rel, node)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            attr = node.func.attr
            if attr == "add_resource" and node.args:
                routes += _add_resource(symbols, rel, node)
            elif attr == "add_route" and node.args:
                routes += _add_route(symbols, rel, node)
            elif attr == "add_api_route" and len(node.args) >= 2:
                path = symbols.const_str(rel, node.args[0])
                d = symbols.definition(rel, node.args[1])
                if path is not None and d is not None:
                    routes.append(Found(frozenset(method_list(_kw(node, "methods"))), path,
                                        d.file, d.line, d.name, d.is_async,
                                        _owner(symbols, rel, node)))
    return routes


def _decorated_class(symbols: Symbols, rel: str, node: ast.ClassDef) -> list[Found]:
    """`@ns.route("/x")` on a Resource class (Flask-RESTX)."""
    routes: list[Found] = []
    d = def_of(rel, node)
    if d is None:
        return routes
    for dec in node.decorator_list:
        if not (isinstance(dec, ast.Call) and isinstance(dec.func, ast.Attribute)
                and dec.func.attr == "route"):
            continue
        owner = _owner(symbols, rel, dec)
        for arg in [*dec.args, _kw(dec, "rule", "path")]:
            path = symbols.const_str(rel, arg)
            if path is not None:
                routes += class_routes(path, d, method_list(_kw(dec, "methods")), owner)
    return routes


def _add_resource(symbols: Symbols, rel: str, call: ast.Call) -> list[Found]:
    """`api.add_resource(Resource, "/a", "/b", endpoint=...)` (Flask-RESTX/RESTful)."""
    d = symbols.definition(rel, call.args[0])
    if d is None or not d.methods:
        return []
    owner = _owner(symbols, rel, call)
    routes: list[Found] = []
    for arg in [*call.args[1:], _kw(call, "urls")]:
        path = symbols.const_str(rel, arg)
        if path is not None:
            routes += class_routes(path, d, set(), owner)
    return routes


def _add_route(symbols: Symbols, rel: str, call: ast.Call) -> list[Found]:
    """Falcon `add_route("/x", resource, suffix=)`, aiohttp `add_route("GET", "/x", f)`, or
    Sanic `add_route(View.as_view(), "/x", methods=[..])`."""
    first = symbols.const_str(rel, call.args[0])
    owner = _owner(symbols, rel, call)
    if first is None:  # Sanic: the handler first
        uri = symbols.const_str(rel, call.args[1] if len(call.args) > 1 else _kw(call, "uri"))
        d = symbols.definition(rel, call.args[0])
        if uri is None or d is None:
            return []
        wanted = method_list(_kw(call, "methods"))
        return class_routes(uri, d, wanted, owner) if d.methods else [
            Found(frozenset(wanted), uri, d.file, d.line, d.name, d.is_async, owner)]
    if first.lower() in (*METHODS, "*") and len(call.args) >= 3:  # aiohttp
        path = symbols.const_str(rel, call.args[1])
        d = symbols.definition(rel, call.args[2])
        if path is None or d is None:
            return []
        methods = frozenset() if first == "*" else frozenset({first.lower()})
        if d.methods:
            return class_routes(path, d, set(methods), owner)
        return [Found(methods, path, d.file, d.line, d.name, d.is_async, owner)]
    target = call.args[1] if len(call.args) > 1 else _kw(call, "resource")
    d = symbols.definition(rel, target) if target is not None else None
    if d is None:
        return []
    suffix = symbols.const_str(rel, _kw(call, "suffix")) or ""
    if not d.methods:
        return [Found(frozenset(), first, d.file, d.line, d.name, d.is_async, owner)]
    return class_routes(first, d, set(), owner, suffix)
