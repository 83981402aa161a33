"""Where a submission's code decides how passwords are hashed, read with `ast` (nothing runs):
the static side of security.password-hashing, whose verdict comes from the hashes the server
stored. It points the reviewer (and the question for the call) at the line to talk about.

Found: Django's `PASSWORD_HASHERS = [...]`; a call of hashlib's md5/sha1/sha224/sha256/sha512
(or `hashlib.new`, `hmac.new`) with a password among its arguments; `pbkdf2_hmac`, `scrypt`,
`generate_password_hash`, `make_password`, `bcrypt.gensalt`, passlib's `CryptContext` and
argon2's `PasswordHasher`. Each is {"file", "line", "what"}.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path, PurePosixPath

from grader.analysis.sources import parse_python

_FAST = {"md5", "sha1", "sha224", "sha256", "sha512", "new"}
_HASHERS = {"pbkdf2_hmac", "scrypt", "generate_password_hash", "make_password", "gensalt",
            "CryptContext", "PasswordHasher", "hashpw"}
_PASSWORDISH = re.compile(r"passw|pwd|passwd|secret", re.IGNORECASE)
_MAX_FILE_BYTES = 1024 * 1024


def _mentions_password(node: ast.AST) -> bool:
    return any((isinstance(n, ast.Name) and _PASSWORDISH.search(n.id)) or
               (isinstance(n, ast.Attribute) and _PASSWORDISH.search(n.attr))
               for n in ast.walk(node))


def _is_test(rel: str) -> bool:
    path = PurePosixPath(rel)
    return path.name.startswith("test") or path.name in ("conftest.py", "tests.py") or \
        "tests" in path.parts[:-1]


def password_hashing_code(root: Path, files: tuple[str, ...] | list[str]
                          ) -> list[dict[str, object]]:
    """The places that choose or call the password hasher, hasher settings first."""
    settings: list[dict[str, object]] = []
    calls: list[dict[str, object]] = []
    for rel in files:
        path = root / rel
        if not rel.endswith(".py") or _is_test(rel) or not path.is_file() or \
                path.stat().st_size > _MAX_FILE_BYTES:
            continue
        tree = parse_python(path.read_bytes(), rel)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "PASSWORD_HASHERS" for t in node.targets):
                settings.append({"file": rel, "line": node.lineno,
                                 "what": f"PASSWORD_HASHERS = {ast.unparse(node.value)[:120]}"})
            elif isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(
                    func, ast.Name) else ""
                module = func.value.id if isinstance(func, ast.Attribute) and isinstance(
                    func.value, ast.Name) else ""
                if name in _HASHERS or (module in ("hashlib", "hmac") and name in _FAST
                                        and _mentions_password(node)):
                    calls.append({"file": rel, "line": node.lineno,
                                  "what": ast.unparse(node)[:120]})
    return (settings + calls)[:10]
