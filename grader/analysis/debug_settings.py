"""Debug mode in the configuration a submission is served with, read on the host (`ast` and
the run command; nothing runs). Static evidence beside the hidden suite's behaviour, which
asks the running server for its debugger and reads its error answers.

Found, each only where the run command reaches it:
- the run command: `flask run --debug`, `flask --debug run`, `FLASK_DEBUG=1`,
  `FLASK_ENV=development`, `--debug` / `--dev` of sanic, `DEBUG=1`, `DJANGO_DEBUG=1` and the
  like (`SQL_DEBUG=1` is not debug mode);
- a call with `debug=True` (`app.run(debug=True)`, `Starlette(debug=True)`, `FastAPI(...)`,
  `Litestar(...)`, `Sanic(...).run(...)`), `use_debugger=True` / `evalex=True` (Werkzeug's
  `run_simple`, `DebuggedApplication`), `app.debug = True`, `app.config["DEBUG"] = True`.
  A call inside `if __name__ == "__main__":` counts only when the run command runs that file
  (`python app.py`, `python -m pkg.app`): under gunicorn or uvicorn it never runs;
- Django's `DEBUG = True` (or a default that is on: `os.getenv("DEBUG", "1") == "1"`, or a
  variable the run command sets) in the settings module the server uses: named by
  `DJANGO_SETTINGS_MODULE` / `--settings` in the run command, else the
  `os.environ.setdefault("DJANGO_SETTINGS_MODULE", ...)` of manage.py, wsgi.py or asgi.py,
  following `from .base import *`.

Each finding is {"file", "line", "what"}.
"""

from __future__ import annotations

import ast
import re
import shlex
from pathlib import Path, PurePosixPath

from grader.analysis.sources import parse_python

_ON = {"1", "true", "yes", "on", "development"}
_DEBUG_KEYWORDS = {"debug", "use_debugger", "evalex", "use_evalex"}
#: Variables that switch a framework's debug mode on by themselves (a variable of the app's
#: own, `MYAPP_DEBUG=1`, counts through the code that reads it: `debug=os.getenv(...)`).
_DEBUG_VARIABLES = {"DEBUG", "FLASK_DEBUG", "QUART_DEBUG", "SANIC_DEBUG", "DJANGO_DEBUG",
                    "APP_DEBUG", "STARLETTE_DEBUG", "LITESTAR_DEBUG"}
_MAX_FILE_BYTES = 1024 * 1024


def _words(command: str) -> list[str]:
    try:
        return shlex.split(command)
    except ValueError:
        return command.split()


def _environment(command: str) -> dict[str, str]:
    """NAME=value assignments anywhere in the run command (`A=1 cmd`, `export A=1 && cmd`)."""
    out: dict[str, str] = {}
    for word in _words(command):
        name, sep, value = word.partition("=")
        if sep and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            out[name] = value
    return out


def run_command_debug(command: str | None) -> list[dict[str, object]]:
    """Debug switched on by the run command itself."""
    if not command:
        return []
    found: list[dict[str, object]] = []
    words = _words(command)
    env = _environment(command)
    for name, value in env.items():
        if name in _DEBUG_VARIABLES and value.strip("'\"").lower() in _ON:
            found.append({"file": "submission.yaml", "line": 1,
                          "what": f"{name}={value} in the run command"})
        elif name in ("FLASK_ENV", "QUART_ENV") and value.lower() == "development":
            found.append({"file": "submission.yaml", "line": 1,
                          "what": f"{name}=development in the run command"})
    programs = {PurePosixPath(w).name for w in words}
    for flag in ("--debug", "--debugger", "--dev"):
        if flag in words and programs & {"flask", "quart", "sanic"}:
            found.append({"file": "submission.yaml", "line": 1,
                          "what": f"`{flag}` in the run command"})
    return found


def _is_true(node: ast.expr | None, env: dict[str, str]) -> bool:
    """Whether `node` is on as the server runs: True, or an environment lookup that is on by
    its default or by the run command's variables (`os.getenv("DEBUG", "1") == "1"`)."""
    if isinstance(node, ast.Constant):
        return node.value is True or (isinstance(node.value, str) and
                                      node.value.lower() in _ON)
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and len(node.comparators) == 1:
        value = _lookup(node.left, env)
        right = node.comparators[0]
        if value is None:
            return False
        if isinstance(node.ops[0], ast.Eq) and isinstance(right, ast.Constant):
            return value == str(right.value) or value.lower() == str(right.value)
        if isinstance(node.ops[0], ast.In) and isinstance(right, ast.Tuple | ast.List | ast.Set):
            return any(isinstance(e, ast.Constant) and str(e.value) in (value, value.lower())
                       for e in right.elts)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in (
            "bool", "int") and node.args:
        value = _lookup(node.args[0], env)
        return value is not None and value.lower() not in ("", "0", "false", "no", "off")
    return False


def _lookup(node: ast.expr, env: dict[str, str]) -> str | None:
    """The value of `os.getenv("X", "d")` / `os.environ.get("X", "d")` (also `.lower()`d) as
    the server runs: the run command's X, else the default."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
            node.func.attr in ("lower", "strip") and not node.args:
        inner = _lookup(node.func.value, env)
        return inner.lower().strip() if inner is not None else None
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name)):
        return None
    name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
    if name not in ("getenv", "get") or not node.args or not isinstance(
            node.args[0], ast.Constant) or not isinstance(node.args[0].value, str):
        return None
    variable = node.args[0].value
    if variable in env:
        return env[variable]
    default = node.args[1] if len(node.args) > 1 else None
    return str(default.value) if isinstance(default, ast.Constant) and \
        default.value is not None else None


def _main_guard(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and isinstance(node.test, ast.Compare) and isinstance(
        node.test.left, ast.Name) and node.test.left.id == "__name__"


def _runs_as_script(rel: str, command: str) -> bool:
    """Whether the run command runs this file as __main__ (python app.py, python -m a.b)."""
    module = rel.removesuffix(".py").replace("/", ".")
    words = _words(command)
    for i, word in enumerate(words):
        if PurePosixPath(word).name.startswith("python"):
            rest = words[i + 1:]
            if rest[:1] == ["-m"] and len(rest) > 1 and rest[1] == module:
                return True
            target = next((w for w in rest if not w.startswith("-")), "")
            if target and (target == rel or target.removeprefix("./") == rel):
                return True
    return False


def _code_debug(rel: str, tree: ast.Module, command: str,
                env: dict[str, str]) -> list[dict[str, object]]:
    """debug=True calls and debug attributes, the __main__ block only when it runs."""
    found: list[dict[str, object]] = []
    skipped: set[int] = set()
    if not _runs_as_script(rel, command):
        for stmt in tree.body:
            if _main_guard(stmt):
                skipped |= {id(n) for n in ast.walk(stmt)}
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg in _DEBUG_KEYWORDS and _is_true(keyword.value, env):
                    func = ast.unparse(node.func)[:60]
                    found.append({"file": rel, "line": node.lineno,
                                  "what": f"{func}({keyword.arg}=True)"})
        elif isinstance(node, ast.Assign) and _is_true(node.value, env):
            for target in node.targets:
                if (isinstance(target, ast.Attribute) and target.attr == "debug") or (
                        isinstance(target, ast.Subscript) and isinstance(
                            target.slice, ast.Constant) and target.slice.value == "DEBUG"
                        and isinstance(target.value, ast.Attribute)
                        and target.value.attr == "config"):
                    found.append({"file": rel, "line": node.lineno,
                                  "what": f"{ast.unparse(target)[:60]} = True"})
    return found


def _settings_module(trees: dict[str, ast.Module], command: str) -> str | None:
    """The Django settings module the run command serves with."""
    env = _environment(command)
    if env.get("DJANGO_SETTINGS_MODULE"):
        return env["DJANGO_SETTINGS_MODULE"]
    words = _words(command)
    for i, word in enumerate(words):
        if word.startswith("--settings="):
            return word.partition("=")[2]
        if word == "--settings" and i + 1 < len(words):
            return words[i + 1]
    for rel in sorted(trees, key=lambda r: (PurePosixPath(r).name != "wsgi.py", r)):
        if PurePosixPath(rel).name not in ("manage.py", "wsgi.py", "asgi.py"):
            continue
        for node in ast.walk(trees[rel]):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr == "setdefault":
                args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
                if len(args) == 2 and args[0] == "DJANGO_SETTINGS_MODULE" and isinstance(
                        args[1], str):
                    return args[1]
    return None


def _module_file(module: str, trees: dict[str, ast.Module]) -> str | None:
    base = module.replace(".", "/")
    for rel in (f"{base}.py", f"{base}/__init__.py"):
        if rel in trees:
            return rel
    # a submission served from a sub-folder (cd src && ...): match the end of the path
    return next((r for r in trees if r.endswith(f"/{base}.py")), None)


def _django_debug(trees: dict[str, ast.Module], command: str,
                  env: dict[str, str], seen: set[str] | None = None,
                  module: str | None = None) -> list[dict[str, object]]:
    """DEBUG = True (the last top-level assignment wins) in the settings module in use, or in
    a module it star-imports before assigning it."""
    module = module or _settings_module(trees, command)
    rel = _module_file(module, trees) if module else None
    seen = seen if seen is not None else set()
    if module is None or rel is None or rel in seen:
        return []
    seen.add(rel)
    # the package a relative import starts from: the module's own for a package's __init__
    package = module if rel.endswith("__init__.py") else module.rpartition(".")[0]
    result: list[dict[str, object]] = []
    for stmt in trees[rel].body:
        if isinstance(stmt, ast.ImportFrom) and any(a.name == "*" for a in stmt.names):
            if stmt.level:
                target = f"{package}.{stmt.module}" if stmt.module else package
            else:
                target = stmt.module or ""
            result = _django_debug(trees, command, env, seen, target) or result
        elif isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "DEBUG"
                                                  for t in stmt.targets):
            result = [{"file": rel, "line": stmt.lineno,
                       "what": f"DEBUG = {ast.unparse(stmt.value)[:60]} in the settings the "
                               "server runs with"}] if _is_true(stmt.value, env) else []
    return result


def debug_mode(root: Path, files: tuple[str, ...] | list[str],
               command: str | None) -> list[dict[str, object]]:
    """Where the served configuration switches debug mode on (empty when it does not)."""
    command = command or ""
    env = _environment(command)
    trees: dict[str, ast.Module] = {}
    for rel in files:
        path = root / rel
        name = PurePosixPath(rel).name
        if not rel.endswith(".py") or name.startswith("test") or "tests" in PurePosixPath(
                rel).parts[:-1] or name == "conftest.py":
            continue
        if path.is_file() and path.stat().st_size <= _MAX_FILE_BYTES:
            tree = parse_python(path.read_bytes(), rel)
            if tree is not None:
                trees[rel] = tree
    found = run_command_debug(command)
    for rel, tree in trees.items():
        found += _code_debug(rel, tree, command, env)
    found += _django_debug(trees, command, env)
    return found[:20]
