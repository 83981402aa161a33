"""Django's routes, read with `ast` from every urls.py under the prefix its `include()` chain
gives (grader.analysis.routes assembles them):

- `path()`/`re_path()`/`url()` to function views and class-based views (`View.as_view()`: one
  route per `get`/`post`/... method, its own or a base class's of the submission; DRF generic
  views without them answer the methods their base implies, at the class's line);
- DRF viewsets through routers (`router.register("items", ItemViewSet)`, then
  `include(router.urls)` or `urlpatterns += router.urls`): list/create and detail routes for
  the actions the class defines or inherits from ModelViewSet and the mixins, and its
  `@action`s; `ItemViewSet.as_view({"get": "list"})` maps methods to actions;
- objects mounted by their `.urls` (`path("api/", api.urls)`: a Django Ninja API), returned
  as prefixes for grader.analysis.route_mounts.
"""

from __future__ import annotations

import ast

from grader.analysis.route_mounts import join
from grader.analysis.route_styles import METHODS, Found
from grader.analysis.symbols import Def, Key, Symbols

_VIEWSET_ACTIONS = {"list": ("get", ""), "create": ("post", ""), "retrieve": ("get", "{pk}"),
                    "update": ("put", "{pk}"), "partial_update": ("patch", "{pk}"),
                    "destroy": ("delete", "{pk}")}
_ALL_ACTIONS = frozenset(_VIEWSET_ACTIONS)
#: Actions a viewset inherits from DRF's bases.
_INHERITED_ACTIONS = {"ModelViewSet": _ALL_ACTIONS,
                      "ReadOnlyModelViewSet": frozenset({"list", "retrieve"}),
                      "ListModelMixin": frozenset({"list"}),
                      "CreateModelMixin": frozenset({"create"}),
                      "RetrieveModelMixin": frozenset({"retrieve"}),
                      "UpdateModelMixin": frozenset({"update", "partial_update"}),
                      "DestroyModelMixin": frozenset({"destroy"})}
#: HTTP methods DRF's and Django's generic class-based views answer without defining them.
_IMPLIED_METHODS = {
    "ListAPIView": {"get"}, "CreateAPIView": {"post"}, "RetrieveAPIView": {"get"},
    "DestroyAPIView": {"delete"}, "UpdateAPIView": {"put", "patch"},
    "ListCreateAPIView": {"get", "post"}, "RetrieveUpdateAPIView": {"get", "put", "patch"},
    "RetrieveDestroyAPIView": {"get", "delete"},
    "RetrieveUpdateDestroyAPIView": {"get", "put", "patch", "delete"},
    "ListView": {"get"}, "DetailView": {"get"}, "TemplateView": {"get"},
    "CreateView": {"get", "post"}, "UpdateView": {"get", "post"},
    "DeleteView": {"get", "post"}, "FormView": {"get", "post"}, "RedirectView": {"get"}}
_MAX_BASES = 6


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


Where = tuple[str, int, bool]  # (file, line, async) of a method


def _with_bases(symbols: Symbols, d: Def) -> tuple[dict[str, Where], set[str]]:
    """The class's methods with those of its submission-defined bases (its own win), each
    where it is defined, and every base name up the chain."""
    methods = {name: (d.file, line, is_async) for name, (line, is_async) in d.methods.items()}
    names: set[str] = set()
    todo, seen = [d], {d.name}
    while todo and len(seen) <= _MAX_BASES:
        current = todo.pop()
        names.update(current.bases)
        for base in current.bases:
            found = symbols.by_name.get(base)
            if found is not None and base not in seen and isinstance(found.node, ast.ClassDef):
                seen.add(base)
                for name, (line, is_async) in found.methods.items():
                    methods.setdefault(name, (found.file, line, is_async))
                todo.append(found)
    return methods, names


def _view_routes(symbols: Symbols, path: str, d: Def,
                 mapping: dict[str, str] | None) -> list[Found]:
    methods, bases = _with_bases(symbols, d)
    if mapping:  # ViewSet.as_view({"get": "list"})
        out = []
        for method, action in mapping.items():
            file, line, is_async = methods.get(action, (d.file, d.line, False))
            out.append(Found(frozenset({method}), path, file, line, f"{d.name}.{action}",
                             is_async))
        return out
    out = []
    for method in METHODS:
        for attr in (method, f"on_{method}"):
            if attr in methods:
                file, line, is_async = methods[attr]
                out.append(Found(frozenset({method}), path, file, line, f"{d.name}.{attr}",
                                 is_async))
    if out:
        return out
    implied = set().union(*(_IMPLIED_METHODS.get(b, set()) for b in bases)) if bases else set()
    return [Found(frozenset(implied), path, d.file, d.line, d.name, False)]


def viewset_routes(symbols: Symbols, base: str, d: Def) -> list[Found]:
    methods, bases = _with_bases(symbols, d)
    inherited = set().union(*(_INHERITED_ACTIONS.get(b, frozenset()) for b in bases)) \
        if bases else set()
    base = "/" + base.strip("/")
    out = []
    for action, (method, suffix) in _VIEWSET_ACTIONS.items():
        file, line, is_async = methods.get(action, (d.file, d.line, False))
        if action in methods or action in inherited:
            out.append(Found(frozenset({method}), join(base, suffix) + "/", file, line,
                             f"{d.name}.{action}", is_async))
    out += _extra_actions(base, d)
    return out or [Found(frozenset(), base + "/", d.file, d.line, d.name, False),
                   Found(frozenset(), base + "/{pk}/", d.file, d.line, d.name, False)]


def _extra_actions(base: str, d: Def) -> list[Found]:
    """A viewset's `@action(detail=..., methods=[..], url_path=..)` methods."""
    out: list[Found] = []
    if not isinstance(d.node, ast.ClassDef):
        return out
    for node in d.node.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for dec in node.decorator_list:
            if not (isinstance(dec, ast.Call) and _name(dec.func) == "action"):
                continue
            kw = {k.arg: k.value for k in dec.keywords if k.arg}
            flag = kw.get("detail")
            detail = isinstance(flag, ast.Constant) and flag.value is True
            url = kw.get("url_path")
            segment = url.value if isinstance(url, ast.Constant) and isinstance(
                url.value, str) else node.name
            methods = {e.value.lower() for e in getattr(kw.get("methods"), "elts", [])
                       if isinstance(e, ast.Constant) and isinstance(e.value, str)} or {"get"}
            path = join(join(base, "{pk}") if detail else base, segment) + "/"
            out.append(Found(frozenset(methods), path, d.file, node.lineno,
                             f"{d.name}.{node.name}", isinstance(node, ast.AsyncFunctionDef)))
    return out


def _mapping(call: ast.AST) -> dict[str, str] | None:
    """{"get": "list"} of `ViewSet.as_view({...})`."""
    if isinstance(call, ast.Call) and _name(call.func) == "as_view" and call.args and \
            isinstance(call.args[0], ast.Dict):
        pairs = zip(call.args[0].keys, call.args[0].values, strict=False)
        return {k.value.lower(): v.value for k, v in pairs
                if isinstance(k, ast.Constant) and isinstance(k.value, str)
                and isinstance(v, ast.Constant) and isinstance(v.value, str)}
    return None


def _urls_file(symbols: Symbols, rel: str, tree: ast.Module, prefix: str) -> tuple[
        list[Found], dict[str, str], list[tuple[Key, str]]]:
    """Routes of one urls.py under `prefix`, the modules it includes -> their prefix, and
    objects mounted by their `.urls` -> their prefix."""
    routes: list[Found] = []
    includes: dict[str, str] = {}
    mounted: list[tuple[Key, str]] = []
    routers: dict[str, list[tuple[str, Def]]] = {}  # router variable -> [(path, viewset)]
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr == "register" and len(node.args) >= 2 and isinstance(
                node.func.value, ast.Name):
            path = symbols.const_str(rel, node.args[0])
            d = symbols.definition(rel, node.args[1])
            if path is not None and d is not None:
                routers.setdefault(node.func.value.id, []).append((path.strip("^$/"), d))
    in_path: set[int] = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and _name(node.func) in ("path", "re_path", "url")
                and len(node.args) >= 2):
            continue
        path = symbols.const_str(rel, node.args[0])
        if path is None:
            continue
        here = join(prefix, path.lstrip("^").rstrip("$"))
        view = node.args[1]
        in_path.update(id(n) for n in ast.walk(view))
        inner = view.args[0] if isinstance(view, ast.Call) and _name(
            view.func) == "include" and view.args else view
        if isinstance(inner, ast.Tuple) and inner.elts:  # include((patterns, "app"))
            inner = inner.elts[0]
        if inner is not view or (isinstance(view, ast.Attribute) and view.attr == "urls"):
            module = symbols.const_str(rel, inner)
            if module:
                includes[module] = here
            elif isinstance(inner, ast.Attribute) and inner.attr == "urls":
                owner = inner.value
                if isinstance(owner, ast.Name) and owner.id in routers:
                    for sub, viewset in routers[owner.id]:
                        routes += viewset_routes(symbols, join(here, sub), viewset)
                else:
                    key = symbols.resolve(rel, owner)
                    if key is not None and key[0] != "module":
                        mounted.append((key, "/" + here.lstrip("/")))
            continue
        d = symbols.definition(rel, view)
        if d is not None:
            full = "/" + here.lstrip("/")
            routes += _view_routes(symbols, full, d, _mapping(view)) if d.methods or d.bases \
                else [Found(frozenset(), full, d.file, d.line, d.name, d.is_async)]
    for node in ast.walk(tree):  # urlpatterns += router.urls
        if isinstance(node, ast.Attribute) and node.attr == "urls" and id(node) not in \
                in_path and isinstance(node.value, ast.Name) and node.value.id in routers:
            for sub, viewset in routers[node.value.id]:
                routes += viewset_routes(symbols, join(prefix, sub), viewset)
    return routes, includes, mounted


def django_routes(symbols: Symbols) -> tuple[list[Found], list[tuple[Key, str]]]:
    """Each urls.py read once, under the prefix the include() chain above it gives: its
    routes, and the objects it mounts by `.urls` with their full prefix."""
    urls = {rel: tree for rel, tree in symbols.trees.items() if rel.endswith("urls.py")}
    parent: dict[str, tuple[str, str]] = {}  # included file -> (includer, prefix there)
    for rel, tree in urls.items():
        for module, prefix in _urls_file(symbols, rel, tree, "")[1].items():
            target = symbols.module_file(module)
            if target and target != rel and target in urls:
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

    routes: list[Found] = []
    mounted: list[tuple[Key, str]] = []
    for rel, tree in urls.items():
        found, _, objects = _urls_file(symbols, rel, tree, full_prefix(rel))
        routes += found
        mounted += objects
    return routes, mounted
