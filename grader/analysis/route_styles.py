"""How each web framework declares its function routes, read with `ast` (grader.analysis.routes
assembles them; class-based resources are read in grader.analysis.route_classes). Each
extractor takes one parsed module and returns Found routes, each with the router object it
was declared on (`owner`), whose mount prefix routes.py adds:

- decorators: FastAPI/Flask/Quart/Sanic/Django Ninja `@app.get("/x")`, `@router.route("/x",
  methods=[..])`, `@api.api_operation(["GET"], "/x")`, aiohttp `@routes.get("/x")`, and
  Litestar `@get("/x")` (plain names), including Litestar controllers (`class
  C(Controller): path = "/items"` prefixes its handlers) and Ninja-extra controllers
  (`@api_controller("/items")` on the class);
- calls: Flask `add_url_rule("/x", view_func=f)`, aiohttp `router.add_get("/x", f)` /
  `web.get("/x", f)`, Starlette `Route("/x", f, methods=[..])` inside `Mount("/api",
  routes=[..])`.

Paths may be built from module constants (`f"/{NOTE_ID}"`); handlers are found in the
module that registers them, through its imports (grader.analysis.symbols).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from grader.analysis.route_mounts import join, owner_key
from grader.analysis.symbols import Def, Key, Symbols

METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
_CONTROLLER_DECORATORS = ("api_controller", "controller", "Controller")


@dataclass(frozen=True)
class Found:
    methods: frozenset[str]
    path: str
    file: str
    line: int
    handler: str
    is_async: bool
    owner: Key | None = None     # the router object the route was declared on


def const_str(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def method_list(node: ast.AST | None) -> set[str]:
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return {m.lower() for m in (const_str(e) for e in node.elts) if m}
    single = const_str(node)
    return {single.lower()} if single else set()


def _controllers(symbols: Symbols, rel: str, tree: ast.Module) -> dict[int, tuple[str, Key]]:
    """Method node id -> (the class's own path, the class): Litestar `path = "/items"`,
    Ninja-extra `@api_controller("/items")`."""
    found: dict[int, tuple[str, Key]] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        path = next((symbols.const_str(rel, s.value) for s in node.body
                     if isinstance(s, ast.Assign) and any(
                         isinstance(t, ast.Name) and t.id == "path" for t in s.targets)), None)
        for dec in node.decorator_list:
            if isinstance(dec, ast.Call) and _name(dec.func) in _CONTROLLER_DECORATORS:
                path = symbols.const_str(rel, dec.args[0] if dec.args else _kw(
                    dec, "prefix_or_class", "path")) or ""
        if path is not None:
            found.update({id(n): (path, (rel, node.name)) for n in node.body})
    return found


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _kw(call: ast.Call, *names: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg in names), None)


def _decorator(symbols: Symbols, rel: str,
               dec: ast.expr) -> tuple[set[str], str | None, Key | None] | None:
    """(methods, path, owner) of a route decorator, None for any other decorator."""
    if not isinstance(dec, ast.Call):
        return None
    owner: Key | None = None
    if isinstance(dec.func, ast.Attribute):
        attr, owner = dec.func.attr, owner_key(symbols, rel, dec.func.value)
    elif isinstance(dec.func, ast.Name):  # Litestar: @get("/x")
        attr = dec.func.id
    else:
        return None
    args = list(dec.args)
    methods: set[str] = set()
    if attr in METHODS:
        methods = {attr}
    elif attr in ("route", "api_route"):
        methods = next((method_list(k.value) for k in dec.keywords
                        if k.arg in ("methods", "http_method")), set())
        if attr == "route" and not methods:
            methods = {"get"}
    elif attr == "api_operation" and args:  # Django Ninja: @api.api_operation(["GET"], "/x")
        methods = method_list(args.pop(0))
    else:
        return None
    path = symbols.const_str(rel, args[0]) if args else None
    if path is None:
        path = symbols.const_str(rel, _kw(dec, "path", "rule", "uri"))
    return methods, path, owner


def decorator_routes(symbols: Symbols, rel: str, tree: ast.Module) -> list[Found]:
    controllers = _controllers(symbols, rel, tree)
    routes: list[Found] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for dec in node.decorator_list:
            read = _decorator(symbols, rel, dec)
            if read is None:
                continue
            methods, path, owner = read
            controller = controllers.get(id(node))
            if path is None:
                if controller is None:
                    continue
                path = ""
            if controller is not None:  # the controller's path, then where it is mounted
                path, owner = join(controller[0], path), controller[1]
            elif owner is None:  # Litestar's plain decorators: the handler is what is mounted
                owner = (rel, node.name)
            routes.append(Found(frozenset(methods), path, rel, node.lineno, node.name,
                                isinstance(node, ast.AsyncFunctionDef), owner))
    return routes


def class_routes(path: str, d: Def, methods: set[str], owner: Key | None = None,
                 suffix: str = "") -> list[Found]:
    """One route per HTTP method a class handles (MethodView/HTTPEndpoint/Resource `get`,
    Falcon `on_get` or, with a suffix, `on_get_item`), or one for the class when it shows
    none."""
    out = []
    for method in METHODS:
        names = (f"on_{method}_{suffix}",) if suffix else (method, f"on_{method}")
        for attr in names:
            if attr in d.methods and (not methods or method in methods):
                line, is_async = d.methods[attr]
                out.append(Found(frozenset({method}), path, d.file, line, f"{d.name}.{attr}",
                                 is_async, owner))
    return out or [Found(frozenset(methods), path, d.file, d.line, d.name, False, owner)]


def call_routes(symbols: Symbols, rel: str, tree: ast.Module) -> list[Found]:
    routes: list[Found] = []
    mounts: dict[int, str] = {}  # Route node id -> Mount prefix
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node.func) == "Mount" and node.args:
            prefix = symbols.const_str(rel, node.args[0]) or ""
            for kw in node.keywords:
                if kw.arg == "routes" and isinstance(kw.value, ast.List):
                    mounts.update({id(e): prefix for e in kw.value.elts})
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = _name(node.func)
        path = symbols.const_str(rel, node.args[0])
        if path is None:
            continue
        target: ast.AST | None = node.args[1] if len(node.args) > 1 else None
        target = _kw(node, "view_func", "endpoint", "handler") or target
        methods = next((method_list(k.value) for k in node.keywords if k.arg == "methods"),
                       set())
        if func.startswith("add_") and func[4:] in METHODS:  # aiohttp router.add_get
            methods = {func[4:]}
        elif func in METHODS and isinstance(node.func, ast.Attribute):  # aiohttp web.get
            methods = {func}
        elif func not in ("add_url_rule", "Route", "WebSocketRoute"):
            continue
        d = symbols.definition(rel, target) if target is not None else None
        if d is None:
            continue
        owner = owner_key(symbols, rel, node.func.value) if isinstance(
            node.func, ast.Attribute) else None
        full = join(mounts.get(id(node), ""), path)
        if d.methods:
            routes += class_routes(full, d, methods, owner)
        else:
            routes.append(Found(frozenset(methods), full, d.file, d.line, d.name, d.is_async,
                                owner))
    return routes
