"""How each web framework declares its routes, read with `ast` (grader.analysis.routes
assembles them). Each extractor takes one parsed module and returns Routes:

- decorators: FastAPI/Flask/Quart/Sanic `@app.get("/x")`, `@router.route("/x", methods=[..])`,
  aiohttp `@routes.get("/x")`, and Litestar `@get("/x")` (plain names), including Litestar
  controllers (`class C(Controller): path = "/items"` prefixes its handlers);
- calls: Flask `add_url_rule("/x", view_func=f)` (a MethodView's methods), aiohttp
  `router.add_get("/x", f)` / `web.get("/x", f)`, Falcon `add_route("/x", Resource())` (its
  `on_get`...), Starlette `Route("/x", f, methods=[..])` inside `Mount("/api", routes=[..])`;
- Django `path()`/`re_path()` in urls.py, with `include()` prefixes, and DRF routers
  (`router.register("items", ItemViewSet)`: list/create and detail routes).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
_VIEWSET_ACTIONS = {"list": ("get", ""), "create": ("post", ""), "retrieve": ("get", "{pk}"),
                    "update": ("put", "{pk}"), "partial_update": ("patch", "{pk}"),
                    "destroy": ("delete", "{pk}")}


@dataclass(frozen=True)
class Def:
    """Where a function or class is defined, and what it holds."""

    file: str
    line: int
    is_async: bool
    methods: dict[str, tuple[int, bool]]  # a class's methods: name -> (line, async)


@dataclass(frozen=True)
class Found:
    methods: frozenset[str]
    path: str
    file: str
    line: int
    handler: str
    is_async: bool


def const_str(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _join(prefix: str, path: str) -> str:
    if not prefix:
        return path
    return prefix.rstrip("/") + "/" + path.lstrip("/") if path else prefix


def definitions(trees: dict[str, ast.Module]) -> dict[str, Def]:
    """Every top-level-or-nested function and class by name (the first one wins)."""
    defs: dict[str, Def] = {}
    for rel, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                methods = {n.name: (n.lineno, isinstance(n, ast.AsyncFunctionDef))
                           for n in node.body
                           if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
                defs.setdefault(node.name, Def(rel, node.lineno, False, methods))
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                defs.setdefault(node.name, Def(rel, node.lineno,
                                               isinstance(node, ast.AsyncFunctionDef), {}))
    return defs


def _prefixes(tree: ast.Module) -> dict[str, str]:
    """Variable -> prefix: `APIRouter(prefix=)`, `Blueprint(url_prefix=)`, Sanic blueprints."""
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            for kw in node.value.keywords:
                if kw.arg in ("prefix", "url_prefix") and const_str(kw.value) is not None:
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            found[target.id] = const_str(kw.value) or ""
    return found


def _method_list(node: ast.AST | None) -> set[str]:
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return {m.lower() for m in (const_str(e) for e in node.elts) if m}
    return set()


def decorator_routes(tree: ast.Module, rel: str) -> list[Found]:
    prefixes = _prefixes(tree)
    controllers = {}  # Litestar: handler node id -> the controller's path
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            path = next((const_str(s.value) for s in node.body if isinstance(s, ast.Assign)
                         and any(isinstance(t, ast.Name) and t.id == "path"
                                 for t in s.targets)), None)
            if path is not None:
                controllers.update({id(n): path for n in node.body})
    routes: list[Found] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for dec in node.decorator_list:
            if not isinstance(dec, ast.Call):
                continue
            if isinstance(dec.func, ast.Attribute):
                attr, owner = dec.func.attr, (dec.func.value.id if isinstance(
                    dec.func.value, ast.Name) else "")
            elif isinstance(dec.func, ast.Name):  # Litestar: @get("/x")
                attr, owner = dec.func.id, ""
            else:
                continue
            path = const_str(dec.args[0]) if dec.args else None
            if path is None:
                path = next((const_str(k.value) for k in dec.keywords
                             if k.arg in ("path", "rule", "uri")), None)
            methods: set[str] = set()
            if attr in _METHODS:
                methods = {attr}
            elif attr in ("route", "api_route"):
                methods = next((_method_list(k.value) for k in dec.keywords
                                if k.arg in ("methods", "http_method")), set())
                if attr == "route" and not methods:
                    methods = {"get"}
            else:
                continue
            if path is None:
                if id(node) not in controllers:
                    continue
                path = ""
            full = _join(controllers.get(id(node), ""), path)
            routes.append(Found(frozenset(methods), _join(prefixes.get(owner, ""), full), rel,
                                node.lineno, node.name, isinstance(node, ast.AsyncFunctionDef)))
    return routes


def _target_name(node: ast.AST) -> str | None:
    """`f`, `mod.f`, `View.as_view("x")`, `Resource()` -> the name of the function/class."""
    if isinstance(node, ast.Call):
        node = node.func.value if isinstance(node.func, ast.Attribute) and \
            node.func.attr == "as_view" else node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else None


def _class_routes(path: str, name: str, d: Def, methods: set[str]) -> list[Found]:
    """One route per HTTP method a class handles (MethodView/HTTPEndpoint `get`, Falcon
    `on_get`), or one for the class when it shows none."""
    out = []
    for method in _METHODS:
        for attr in (method, f"on_{method}"):
            if attr in d.methods and (not methods or method in methods):
                line, is_async = d.methods[attr]
                out.append(Found(frozenset({method}), path, d.file, line, f"{name}.{attr}",
                                 is_async))
    return out or [Found(frozenset(methods), path, d.file, d.line, name, False)]


def call_routes(tree: ast.Module, rel: str, defs: dict[str, Def]) -> list[Found]:
    routes: list[Found] = []
    mounts: dict[int, str] = {}  # Route node id -> Mount prefix
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _target_name(node.func) == "Mount" and node.args:
            prefix = const_str(node.args[0]) or ""
            for kw in node.keywords:
                if kw.arg == "routes" and isinstance(kw.value, ast.List):
                    mounts.update({id(e): prefix for e in kw.value.elts})
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func.attr if isinstance(node.func, ast.Attribute) else (
            node.func.id if isinstance(node.func, ast.Name) else "")
        path = const_str(node.args[0])
        if path is None:
            continue
        target: ast.AST | None = node.args[1] if len(node.args) > 1 else None
        target = next((k.value for k in node.keywords if k.arg in ("view_func", "endpoint",
                                                                    "handler")), target)
        methods = next((_method_list(k.value) for k in node.keywords if k.arg == "methods"),
                       set())
        if func.startswith("add_") and func[4:] in _METHODS:  # aiohttp router.add_get
            methods = {func[4:]}
        elif func in _METHODS and isinstance(node.func, ast.Attribute):  # aiohttp web.get
            methods = {func}
        elif func not in ("add_url_rule", "add_route", "Route", "WebSocketRoute"):
            continue
        name = _target_name(target) if target is not None else None
        if name is None or name not in defs:
            continue
        d = defs[name]
        full = _join(mounts.get(id(node), ""), path)
        if d.methods:
            routes += _class_routes(full, name, d, methods)
        else:
            routes.append(Found(frozenset(methods), full, d.file, d.line, name, d.is_async))
    return routes


def django_routes(tree: ast.Module, rel: str, defs: dict[str, Def],
                  prefix: str) -> tuple[list[Found], dict[str, str]]:
    """Routes of one urls.py under `prefix`, and the modules it includes -> their prefix."""
    routes: list[Found] = []
    includes: dict[str, str] = {}
    routers: dict[str, list[tuple[str, str]]] = {}  # router variable -> [(path, viewset)]
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr == "register" and len(node.args) >= 2 and isinstance(
                node.func.value, ast.Name):
            path, name = const_str(node.args[0]), _target_name(node.args[1])
            if path is not None and name:
                routers.setdefault(node.func.value.id, []).append((path.strip("^$/"), name))
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and _target_name(node.func) in ("path", "re_path",
                                                                            "url")
                and len(node.args) >= 2):
            continue
        path = const_str(node.args[0])
        if path is None:
            continue
        here = _join(prefix, path.lstrip("^").rstrip("$"))
        view = node.args[1]
        if isinstance(view, ast.Call) and _target_name(view.func) == "include" and view.args:
            inner = view.args[0]
            module = const_str(inner)
            if module:
                includes[module] = here
            elif isinstance(inner, ast.Attribute) and inner.attr == "urls" and isinstance(
                    inner.value, ast.Name):
                for sub, viewset in routers.get(inner.value.id, []):
                    routes += _viewset_routes(_join(here, sub), viewset, defs)
            continue
        name = _target_name(view)
        if name and name in defs:
            d = defs[name]
            full = "/" + here.lstrip("/")
            routes += _class_routes(full, name, d, set()) if d.methods else [
                Found(frozenset(), full, d.file, d.line, name, d.is_async)]
    return routes, includes


def _viewset_routes(base: str, name: str, defs: dict[str, Def]) -> list[Found]:
    d = defs.get(name)
    if d is None:
        return []
    base = "/" + base.strip("/")
    out = []
    for action, (method, suffix) in _VIEWSET_ACTIONS.items():
        if action in d.methods:
            line, is_async = d.methods[action]
            out.append(Found(frozenset({method}), _join(base, suffix) + "/", d.file, line,
                             f"{name}.{action}", is_async))
    return out or [Found(frozenset(), base + "/", d.file, d.line, name, False),
                   Found(frozenset(), base + "/{pk}/", d.file, d.line, name, False)]
