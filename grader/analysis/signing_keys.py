"""String literals in a submission that look like the key its tokens are signed with, read on
the host with `ast` (nothing runs). They are the candidate's own, committed with the code, so
handing them to the tester leaks nothing of ours; the hidden suite signs forged tokens with
each, and only a key the running server accepts is a finding (a key drawn at random at start
beside an unused literal passes).

A literal is taken when it is:
- assigned to a name, attribute or subscript whose name says key or secret (`SECRET_KEY =`,
  `app.secret_key =`, `app.config["JWT_SECRET_KEY"] =`, a settings class's
  `jwt_secret: str = "..."`), or a dict entry / keyword argument named so (`SIMPLE_JWT =
  {"SIGNING_KEY": ...}`, `config.update(SECRET_KEY=...)`, `key=`, `secret=`);
- the default of an environment lookup (`os.getenv("JWT_SECRET", "dev")`, `environ.get`,
  `config("SECRET", default=...)`), or the fallback of `os.getenv(...) or "dev"`;
- the key argument of a signing call (`jwt.encode(claims, "k")`, `jwt.decode(t, "k", ...)`,
  `URLSafeTimedSerializer("k")`, `hmac.new(b"k", ...)`);
- set in the run command (`JWT_SECRET=k uvicorn ...`) or in a committed .env file.

`signing_salts` gives the `salt=` literals of itsdangerous serializers and signers, which an
itsdangerous token is signed with beside the key.
"""

from __future__ import annotations

import ast
import re
import shlex
from pathlib import Path

from grader.analysis.sources import parse_python

MAX_KEYS = 30
_MIN, _MAX = 3, 512
_KEY_NAME = re.compile(r"secret|signing|jwt|hmac|(?:^|_)key$|^key(?:$|_)|token_key",
                       re.IGNORECASE)
_NOT_KEY = re.compile(r"primary|foreign|sort|cache|api_key_header|key_func|algorithm|alg$"
                      r"|_name$|_header$|_field$|_path$|_file$|_url$|expire|_ttl|_minutes"
                      r"|_seconds|_hours|_days|lifetime|_type$", re.IGNORECASE)
_ENV_CALLS = {"getenv", "get", "setdefault", "config", "str", "env"}
_SIGNING_CALLS = {"URLSafeTimedSerializer": 0, "URLSafeSerializer": 0, "TimedSerializer": 0,
                  "Serializer": 0, "Signer": 0, "TimestampSigner": 0,
                  "TimedJSONWebSignatureSerializer": 0, "JSONWebSignatureSerializer": 0}
#: module.function(...) calls whose argument at this position is the key: jwt.encode(claims,
#: key), jwt.decode(token, key), hmac.new(key, ...); the module as the code names it.
_MODULE_CALLS = {("jwt", "encode"): 1, ("jwt", "decode"): 1, ("jws", "sign"): 1,
                 ("jws", "verify"): 1, ("pyjwt", "encode"): 1, ("pyjwt", "decode"): 1,
                 ("hmac", "new"): 0, ("hmac", "digest"): 0}
_KEY_KEYWORDS = {"key", "secret", "secret_key", "signing_key", "jwt_secret", "jwt_key",
                 "verifying_key"}
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")
_MAX_FILE_BYTES = 1024 * 1024


def _name_of(target: ast.expr) -> str:
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
        return str(target.slice.value)
    return ""


def _key_name(name: str) -> bool:
    return bool(name) and bool(_KEY_NAME.search(name)) and not _NOT_KEY.search(name)


def _text(node: ast.expr | None) -> str | None:
    """The literal text of `node`: "k", b"k", "k".encode()."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
        value = node.value if isinstance(node.value, str) else node.value.decode("latin-1")
        return value if _MIN <= len(value) <= _MAX else None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
            node.func.attr == "encode":
        return _text(node.func.value)
    return None


def _env_default(node: ast.expr) -> tuple[str, str] | None:
    """(variable, default) of `os.getenv("X", "d")`, `os.environ.get("X", "d")`,
    `config("X", default="d")`."""
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(
        func, ast.Name) else ""
    if name not in _ENV_CALLS or not node.args:
        return None
    variable = node.args[0]
    if not (isinstance(variable, ast.Constant) and isinstance(variable.value, str)):
        return None
    default = node.args[1] if len(node.args) > 1 else next(
        (k.value for k in node.keywords if k.arg == "default"), None)
    text = _text(default)
    return (variable.value, text) if text is not None else None


def _values(node: ast.expr) -> list[tuple[str, str]]:
    """(literal, how) that `node` can evaluate to: the literal itself, an environment
    lookup's default, either side of `or` and of a conditional expression."""
    text = _text(node)
    if text is not None:
        return [(text, "")]
    found = _env_default(node)
    if found is not None:
        return [(found[1], f"the default of the {found[0]} variable")]
    if isinstance(node, ast.BoolOp):
        return [v for value in node.values for v in _values(value)]
    if isinstance(node, ast.IfExp):
        return [*_values(node.body), *_values(node.orelse)]
    return []


def _python_keys(rel: str, tree: ast.Module) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []

    def add(node: ast.expr, line: int, how: str) -> None:
        for text, detail in _values(node):
            found.append({"key": text, "file": rel, "line": line,
                          "how": f"{how}, {detail}" if detail else how})

    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if _key_name(_name_of(target)):
                    add(node.value, node.lineno, f"assigned to {_name_of(target)}")
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=False):
                if isinstance(key, ast.Constant) and isinstance(key.value, str) and \
                        _key_name(key.value):
                    add(value, value.lineno, f"the {key.value} entry")
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(
                func, ast.Name) else ""
            for keyword in node.keywords:
                if keyword.arg and (keyword.arg in _KEY_KEYWORDS or _key_name(keyword.arg)):
                    add(keyword.value, node.lineno, f"passed as {keyword.arg}= to {name}()")
            module = func.value.id if isinstance(func, ast.Attribute) and isinstance(
                func.value, ast.Name) else ""
            position = _SIGNING_CALLS.get(name, _MODULE_CALLS.get((module.lower(), name)))
            if position is not None and len(node.args) > position:
                add(node.args[position], node.lineno, f"the key argument of {name}()")
            found_env = _env_default(node)
            if found_env is not None and _key_name(found_env[0]):
                found.append({"key": found_env[1], "file": rel, "line": node.lineno,
                              "how": f"the default of the {found_env[0]} variable"})
    return found


def _env_keys(rel: str, text: str) -> list[dict[str, object]]:
    """`NAME=value` lines of a .env file whose name says key or secret."""
    found: list[dict[str, object]] = []
    for number, line in enumerate(text.splitlines(), 1):
        match = _ENV_LINE.match(line)
        if match and _key_name(match[1]):
            value = match[2].strip().strip("'\"")
            if _MIN <= len(value) <= _MAX:
                found.append({"key": value, "file": rel, "line": number,
                              "how": f"{match[1]} in {Path(rel).name}"})
    return found


def run_command_keys(command: str | None) -> list[dict[str, object]]:
    """`NAME=value` assignments in the run command whose name says key or secret."""
    if not command:
        return []
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    found: list[dict[str, object]] = []
    for word in words:
        name, sep, value = word.partition("=")
        if sep and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) and _key_name(name) and \
                _MIN <= len(value) <= _MAX:
            found.append({"key": value, "file": "submission.yaml", "line": 1,
                          "how": f"{name} set in the run command"})
    return found


def signing_key_literals(root: Path, files: tuple[str, ...] | list[str],
                         run_command: str | None = None) -> list[dict[str, object]]:
    """[{key, file, line, how}]: each distinct key-like literal once (its first place), at
    most MAX_KEYS of them: the run command's first, then the files' in order."""
    found = run_command_keys(run_command)
    for rel in files:
        path = root / rel
        name = Path(rel).name
        if not path.is_file() or path.stat().st_size > _MAX_FILE_BYTES:
            continue
        if rel.endswith(".py"):
            tree = parse_python(path.read_bytes(), rel)
            if tree is not None:
                found += _python_keys(rel, tree)
        elif name == ".env" or name.startswith(".env.") or name.endswith(".env"):
            found += _env_keys(rel, path.read_text(encoding="utf-8", errors="replace"))
    unique: dict[str, dict[str, object]] = {}
    for item in found:
        unique.setdefault(str(item["key"]), item)
    return list(unique.values())[:MAX_KEYS]


def signing_salts(root: Path, files: tuple[str, ...] | list[str]) -> list[str]:
    """The `salt=` literals passed to itsdangerous serializers and signers (or their
    `.dumps`/`.loads`), at most 10."""
    salts: list[str] = []
    for rel in files:
        path = root / rel
        if not rel.endswith(".py") or not path.is_file() or \
                path.stat().st_size > _MAX_FILE_BYTES:
            continue
        tree = parse_python(path.read_bytes(), rel)
        for node in ast.walk(tree) if tree is not None else ():
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(
                    func, ast.Name) else ""
                if name in _SIGNING_CALLS or name in ("dumps", "loads"):
                    for keyword in node.keywords:
                        text = _text(keyword.value) if keyword.arg == "salt" else None
                        if text is not None and text not in salts:
                            salts.append(text)
    return salts[:10]
