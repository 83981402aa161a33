"""Security facts read from a submission's code with `ast` (nothing runs):

- SQL built from values: an f-string, `%`/`.format()` or `+` concatenation that puts a
  non-constant value into a string passed to `execute()` / `executemany()` / `executescript()`
  / `text()` / `raw()` (directly, or through a variable assigned in the same function).
  Constant column lists, table names held in module-level constants and placeholder lists
  (`", ".join("?" * n)`) are not findings: only values from outside the code are.
- Token verification switched off: `jwt.decode(..., options={"verify_signature": False})`,
  `verify=False`, `algorithms=["none"]`, `options={"verify_exp": False}`.

Each finding is {"file", "line", "what"}.
"""

from __future__ import annotations

import ast
from pathlib import Path

from grader.analysis.sources import parse_python
from grader.checks import CheckResult

_SQL_SINKS = {"execute", "executemany", "executescript", "text", "raw", "exec_driver_sql",
              "mogrify"}
_MAX_FILE_BYTES = 1024 * 1024


def _module_constants(tree: ast.Module) -> set[str]:
    """Names bound at module level to constant text (or a join/tuple of constants)."""
    names: set[str] = set()
    for node in tree.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        if value is not None and _constant(value, names):
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def _constant(node: ast.expr, constants: set[str]) -> bool:
    """Whether `node` is text fixed by the code itself (not a value from a request)."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Name):
        return node.id in constants or node.id.isupper()
    if isinstance(node, ast.Attribute):  # settings.TABLE, self.TABLE, Model.__tablename__
        return node.attr.isupper() or node.attr.startswith("__")
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return all(_constant(e, constants) for e in node.elts)
    if isinstance(node, ast.JoinedStr):
        return all(_constant(v.value, constants) if isinstance(v, ast.FormattedValue) else True
                   for v in node.values)
    if isinstance(node, ast.BinOp):  # "?" * n, ", ".join(...) + ..., placeholders
        if isinstance(node.op, ast.Mult):
            return _constant(node.left, constants) or _constant(node.right, constants)
        return _constant(node.left, constants) and _constant(node.right, constants)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "join":  # ", ".join(COLUMNS) or ",".join("?" for _ in ids)
            arg = node.args[0] if node.args else None
            if isinstance(arg, ast.GeneratorExp | ast.ListComp):
                bound = set(constants)  # loop names over constant sequences are constant
                for gen in arg.generators:
                    if _constant(gen.iter, bound):
                        bound |= {n.id for n in ast.walk(gen.target) if isinstance(n, ast.Name)}
                return _constant(arg.elt, bound)
            return arg is not None and _constant(node.func.value, constants) and _constant(
                arg, constants)
        if node.func.attr in ("upper", "lower", "strip"):
            return _constant(node.func.value, constants)
    return False


def _built_from_values(node: ast.expr, constants: set[str]) -> bool:
    """Whether `node` builds text from a value that is not constant."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) and not _constant(v.value, constants)
                   for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        if isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant):
            return not _constant(node.right, constants)
        parts = [node.left, node.right]
        return any(_built_from_values(p, constants) for p in parts) or (
            any(isinstance(p, ast.Constant) and isinstance(p.value, str) for p in parts)
            and not all(_constant(p, constants) for p in parts))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
            node.func.attr == "format":
        args = [*node.args, *(k.value for k in node.keywords)]
        return not all(_constant(a, constants) for a in args)
    return False


def sql_built_from_values(root: Path,
                          files: tuple[str, ...] | list[str]) -> list[dict[str, object]]:
    """SQL strings built from values and passed to an execute-like call."""
    found: list[dict[str, object]] = []
    for rel, tree in _trees(root, files):
        constants = _module_constants(tree)
        functions = [n for n in ast.walk(tree)
                     if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.Module)]
        for func in functions:
            local = set(constants)
            for node in ast.walk(func):  # placeholders and column lists built in the function
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(
                        node.targets[0], ast.Name) and _constant(node.value, local):
                    local.add(node.targets[0].id)
            built: dict[str, int] = {}
            for node in ast.walk(func):
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(
                        node.targets[0], ast.Name) and _built_from_values(node.value, local):
                    built[node.targets[0].id] = node.lineno
                elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) \
                        and isinstance(node.op, ast.Add) and not _constant(node.value,
                                                                          local):
                    built.setdefault(node.target.id, node.lineno)
            for node in ast.walk(func):
                if not (isinstance(node, ast.Call) and _name(node.func) in _SQL_SINKS
                        and node.args):
                    continue
                arg = node.args[0]
                if _built_from_values(arg, local):
                    found.append({"file": rel, "line": node.lineno,
                                  "what": f"{_name(node.func)}() with SQL built from values"})
                elif isinstance(arg, ast.Name) and arg.id in built:
                    found.append({"file": rel, "line": built[arg.id],
                                  "what": f"SQL built from values in `{arg.id}`, passed to "
                                          f"{_name(node.func)}() at line {node.lineno}"})
    return _unique(found)


def token_verification_off(root: Path,
                           files: tuple[str, ...] | list[str]) -> list[dict[str, object]]:
    """Token decoding with its signature or expiry check switched off."""
    found: list[dict[str, object]] = []
    for rel, tree in _trees(root, files):
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=False):
                    if isinstance(key, ast.Constant) and key.value in (
                            "verify_signature", "verify_exp") and isinstance(
                            value, ast.Constant) and value.value is False:
                        found.append({"file": rel, "line": node.lineno,
                                      "what": f"{key.value}: False"})
            elif isinstance(node, ast.Call) and _name(node.func) == "decode":
                for kw in node.keywords:
                    if kw.arg == "verify" and isinstance(kw.value, ast.Constant) and \
                            kw.value.value is False:
                        found.append({"file": rel, "line": node.lineno, "what": "verify=False"})
                    if kw.arg == "algorithms" and isinstance(kw.value, ast.List | ast.Tuple) \
                            and any(isinstance(e, ast.Constant) and str(e.value).lower() == "none"
                                    for e in kw.value.elts):
                        found.append({"file": rel, "line": node.lineno,
                                      "what": 'algorithms include "none"'})
                    if kw.arg == "options" and isinstance(kw.value, ast.Call) and \
                            _name(kw.value.func) == "dict":
                        for inner in kw.value.keywords:
                            if inner.arg in ("verify_signature", "verify_exp") and isinstance(
                                    inner.value, ast.Constant) and inner.value.value is False:
                                found.append({"file": rel, "line": node.lineno,
                                              "what": f"{inner.arg}=False"})
    return _unique(found)


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _trees(root: Path, files: tuple[str, ...] | list[str]) -> list[tuple[str, ast.Module]]:
    out = []
    for rel in files:
        if not rel.endswith(".py") or "test" in Path(rel).name:
            continue
        path = root / rel
        if path.stat().st_size > _MAX_FILE_BYTES:
            continue
        tree = parse_python(path.read_bytes(), rel)
        if tree is not None:
            out.append((rel, tree))
    return out


def _unique(found: list[dict[str, object]]) -> list[dict[str, object]]:
    seen, out = set(), []
    for item in found:
        key = (item["file"], item["line"])
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out[:50]


def security_checks(root: Path, files: tuple[str, ...] | list[str]) -> list[CheckResult]:
    """static.sql-injection and static.token-verification."""
    from grader.analysis.code_facts import findings_check

    return [
        findings_check("static.sql-injection", "SQL is parameterised, never built from values",
                       sql_built_from_values(root, files), "what",
                       "place(s) where SQL is built from values",
                       "no SQL built from values (parameters are used)"),
        findings_check("static.token-verification", "Token signatures and expiry are verified",
                       token_verification_off(root, files), "what",
                       "place(s) where token verification is switched off",
                       "no token check switched off"),
    ]
