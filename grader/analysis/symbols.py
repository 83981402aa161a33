"""What a name means in a submission's Python modules, read with `ast` (nothing is imported):
which file a dotted module is, which definition or assignment a name (`router`,
`items.router`, `views.ItemList`) refers to from a given file through its imports, and the
value of a string built from constants (`f"/{NOTE_ID}"`, `PREFIX + "/items"`, `f"{{id:int(max=
{MAX_ID})}}"` with `MAX_ID = 2**63 - 1`).

Route discovery (grader/analysis/routes.py) uses it to find a handler's definition in the
file that registers it (two modules may both define `list_items`) and to follow routers,
blueprints and namespaces from where they are made to where they are mounted.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import PurePosixPath

Key = tuple[str, str]  # (file, name bound at its module level)
_MAX_DEPTH = 8


@dataclass(frozen=True)
class Def:
    """Where a function or class is defined, and what it holds."""

    file: str
    line: int
    is_async: bool
    methods: dict[str, tuple[int, bool]]  # a class's methods: name -> (line, async)
    bases: tuple[str, ...] = ()            # a class's base classes, by their last name
    name: str = ""
    node: ast.AST | None = field(default=None, compare=False, repr=False)


def module_name(rel: str) -> str:
    path = PurePosixPath(rel)
    parts = list(path.parts[:-1]) + ([] if path.stem == "__init__" else [path.stem])
    return ".".join(parts)


def _last_name(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        return _last_name(node.value)
    return node.id if isinstance(node, ast.Name) else ""


def def_of(rel: str, node: ast.AST) -> Def | None:
    """The Def of a class or function node (None for anything else)."""
    if isinstance(node, ast.ClassDef):
        methods = {n.name: (n.lineno, isinstance(n, ast.AsyncFunctionDef)) for n in node.body
                   if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
        return Def(rel, node.lineno, False, methods, tuple(_last_name(b) for b in node.bases),
                   node.name, node)
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return Def(rel, node.lineno, isinstance(node, ast.AsyncFunctionDef), {}, (), node.name,
                   node)
    return None


class Symbols:
    """The index of one submission's modules."""

    def __init__(self, trees: dict[str, ast.Module]) -> None:
        self.trees = trees
        self.modules = {module_name(rel): rel for rel in trees}
        self.bindings: dict[str, dict[str, ast.AST]] = {}
        self.imports: dict[str, dict[str, tuple[str, str | None]]] = {}
        self.by_name: dict[str, Def] = {}  # the first definition of each name, anywhere
        for rel, tree in trees.items():
            self._index(rel, tree)

    def _index(self, rel: str, tree: ast.Module) -> None:
        bound: dict[str, ast.AST] = {}
        nested: dict[str, ast.AST] = {}
        imports: dict[str, tuple[str, str | None]] = {}
        top = set(map(id, tree.body))
        for node in ast.walk(tree):
            target = bound if id(node) in top else nested
            if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                target.setdefault(node.name, node)
                found = def_of(rel, node)
                if found is not None:
                    self.by_name.setdefault(node.name, found)
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    if isinstance(t, ast.Name) and node.value is not None:
                        target.setdefault(t.id, node.value)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        imports.setdefault(alias.asname, (alias.name, None))
                    else:
                        top_name = alias.name.split(".")[0]
                        imports.setdefault(top_name, (top_name, None))
            elif isinstance(node, ast.ImportFrom):
                base = self._absolute(rel, node.module or "", node.level)
                for alias in node.names:
                    imports.setdefault(alias.asname or alias.name, (base, alias.name))
        self.bindings[rel] = {**nested, **bound}
        self.imports[rel] = imports

    @staticmethod
    def _absolute(rel: str, module: str, level: int) -> str:
        if not level:
            return module
        package = list(PurePosixPath(rel).parts[:-1])
        package = package[:len(package) - (level - 1)] if level > 1 else package
        return ".".join([*package, *([module] if module else [])])

    def module_file(self, dotted: str) -> str | None:
        """The submission's file of a dotted module ("app.routers.items"), also when the
        code sits under a source folder (src/app/routers/items.py)."""
        if dotted in self.modules:
            return self.modules[dotted]
        ends = [m for m in self.modules if m.endswith("." + dotted)]
        return self.modules[min(ends, key=len)] if ends else None

    def resolve(self, rel: str, node: ast.AST, depth: int = 0) -> Key | None:
        """The (file, name) a Name or dotted Attribute refers to from `rel`, following its
        imports; ("module", file) for a module; None when it is not the submission's."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(node, ast.Name):
            return self._lookup(rel, node.id, depth)
        if isinstance(node, ast.Attribute):
            owner = self.resolve(rel, node.value, depth + 1)
            if owner is not None and owner[0] == "module":
                return self._lookup(owner[1], node.attr, depth + 1)
        return None

    def resolve_dotted(self, dotted: str) -> Key | None:
        """"app.api.router" (a string naming an object, as Django Ninja's add_router
        takes it) -> (file, name)."""
        module, _, name = dotted.rpartition(".")
        file = self.module_file(module) if module else None
        return self._lookup(file, name, 1) if file else None

    def _lookup(self, rel: str, name: str, depth: int) -> Key | None:
        if name in self.bindings.get(rel, {}):
            return (rel, name)
        imported = self.imports.get(rel, {}).get(name)
        if imported is None:
            return None
        module, attr = imported
        if attr is None:
            file = self.module_file(module)
            return ("module", file) if file else None
        file = self.module_file(module)
        sub = self.module_file(f"{module}.{attr}") if module else self.module_file(attr)
        if file is not None and file != rel and (
                attr in self.bindings.get(file, {}) or attr in self.imports.get(file, {})):
            return self._lookup(file, attr, depth + 1) if depth <= _MAX_DEPTH else None
        if sub is not None:
            return ("module", sub)
        return None

    def value(self, key: Key) -> ast.AST | None:
        """What the name is bound to in its module: a definition or an assigned value."""
        return self.bindings.get(key[0], {}).get(key[1])

    def definition(self, rel: str, node: ast.AST, depth: int = 0) -> Def | None:
        """The function or class a handler expression names: `f`, `views.f`, `View.as_view()`,
        `Resource()`, or a variable holding `Resource(...)`; by name anywhere as a last
        resort."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "as_view":
                func = func.value
            return self.definition(rel, func, depth + 1)
        key = self.resolve(rel, node)
        if key is not None and key[0] != "module":
            bound = self.value(key)
            found = def_of(key[0], bound) if bound is not None else None
            if found is not None:
                return found
            if isinstance(bound, ast.Call):
                return self.definition(key[0], bound, depth + 1)
            if isinstance(bound, ast.Name | ast.Attribute):
                return self.definition(key[0], bound, depth + 1)
        name = _last_name(node)
        return self.by_name.get(name) if name else None

    def const_str(self, rel: str, node: ast.AST | None, depth: int = 0) -> str | None:
        """A string literal, or one built from literals and module constants (f-strings,
        `+`); None when any part is not known statically."""
        if node is None or depth > _MAX_DEPTH:
            return None
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, str) else None
        if isinstance(node, ast.JoinedStr):
            parts = []
            for value in node.values:
                inner = value.value if isinstance(value, ast.FormattedValue) else value
                if isinstance(value, ast.FormattedValue) and (value.format_spec or
                                                              value.conversion != -1):
                    return None
                text = self.const_str(rel, inner, depth + 1)
                if text is None and isinstance(value, ast.FormattedValue):
                    number = self.const_int(rel, inner, depth + 1)
                    text = None if number is None else str(number)
                if text is None:
                    return None
                parts.append(text)
            return "".join(parts)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left = self.const_str(rel, node.left, depth + 1)
            right = self.const_str(rel, node.right, depth + 1)
            return None if left is None or right is None else left + right
        if isinstance(node, ast.Name | ast.Attribute):
            key = self.resolve(rel, node)
            if key is not None and key[0] != "module":
                bound = self.value(key)
                if isinstance(bound, ast.expr):
                    return self.const_str(key[0], bound, depth + 1)
        return None

    def const_int(self, rel: str, node: ast.AST | None, depth: int = 0) -> int | None:
        """An integer literal, or one computed from literals and module constants with + - *
        and ** (`2**63 - 1`), kept small; None otherwise."""
        if node is None or depth > _MAX_DEPTH:
            return None
        if isinstance(node, ast.Constant):
            value = node.value
            return value if isinstance(value, int) and not isinstance(value, bool) else None
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner = self.const_int(rel, node.operand, depth + 1)
            return None if inner is None else -inner
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub | ast.Mult |
                                                      ast.Pow):
            left = self.const_int(rel, node.left, depth + 1)
            right = self.const_int(rel, node.right, depth + 1)
            if left is None or right is None or abs(left) > 2**64 or abs(right) > 2**64 or (
                    isinstance(node.op, ast.Pow) and not 0 <= right <= 128):
                return None
            if isinstance(node.op, ast.Pow):
                return int(left ** right)
            return left + right if isinstance(node.op, ast.Add) else (
                left - right if isinstance(node.op, ast.Sub) else left * right)
        if isinstance(node, ast.Name | ast.Attribute):
            key = self.resolve(rel, node)
            bound = self.value(key) if key is not None and key[0] != "module" else None
            if key is not None and isinstance(bound, ast.expr):
                return self.const_int(key[0], bound, depth + 1)
        return None
