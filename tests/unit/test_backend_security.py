"""The backend's security readers, without Docker: stored password-hash formats and their work
factors, what an HTTP answer gives away (tracebacks, SQL, debuggers), key-like literals handed
to the forged-token tests, and debug mode in the served configuration."""

from __future__ import annotations

import hashlib
import hmac
import textwrap
from pathlib import Path

import pytest

from grader.analysis.debug_settings import debug_mode
from grader.analysis.password_code import password_hashing_code
from grader.analysis.password_hashes import stored_hashes
from grader.analysis.signing_keys import signing_key_literals, signing_salts
from grader.tracks.backend.stored import hashing_check, registered_usernames
from grader.tracks.backend.tester.disclosure import describe, exposure

PASSWORD = "correct-horse-battery"

# Made by the real hashers (Django 5.2, werkzeug 3.1, passlib 1.7, bcrypt 5) for PASSWORD.
REAL_HASHES = {
    "pbkdf2_sha256$1000000$S3kuXNMNQ8naeYR3MgXFgy$EZhJnRVzMxuQPg8b8+MxM75Dm8j5z1ssY9rtdAzSvAk=":
        ("PBKDF2-SHA256 (Django's format)", "slow", "1,000,000 iterations"),
    "md5$0tRVipQEsRgoHivHswjFI5$46bf2d972f7ae756cddacfd72061864b":
        ("salted MD5 (Django's MD5PasswordHasher, md5$)", "fast", ""),
    "scrypt$16384$nw6zBNwvQQiSIgclbwpKXn$8$5$7GO3wmFe+8rU1Q6Bw34fs+Bw9VEG3mcU2s2akueHZBpxNjlXfX"
    "mtm0KLVv1Mve5UNVV2GG0Ngrawmxn8/ASKvg==": ("scrypt", "slow", "N=16,384"),
    "bcrypt_sha256$$2b$12$58bpbVOUV1P7wFI3KsTdA.BhunZ.KiIAtHtDEjDhhDGd43HCZs2Ti":
        ("bcrypt", "slow", "cost 12"),
    "scrypt:32768:8:1$WVrcsWhSel2p7hJ1$d3cf61f6c7afb6b149468eb9fa735af3beca99c1516b098c54eae758"
    "7727ba7fbecd7af96620edcd274b1b547f3cd37d4850d06fece81eea942521d931d84a3c":
        ("scrypt", "slow", "N=32,768"),
    "pbkdf2:sha256:1000$L4CB9nzpdplr4d7r$01abf0debd687c0105778e0462347e0ca2a916b8671651a3497a03"
    "d5920920de": ("PBKDF2-SHA256 (werkzeug's format)", "weak", "1,000 iterations"),
    "$pbkdf2-sha256$29000$QKjVGkMopfQ.pzQmBMB4rw$.zLjx52iqUYOk4Kzt8uUNBlnFcd9uHJX/Yly2VHVLQQ":
        ("PBKDF2-SHA256 (passlib's format)", "slow", "29,000 iterations"),
    "$6$rounds=656000$5/kUjTN2z0qGRqC3$DKvFw812Srfb4a6XrPEabTnAQ1oAfKfCbJU591rGsg4DyIk2vIm.3OyA"
    "G27iE0AE4hrru.npLaO2tNe86OE7s/": ("SHA512-crypt", "slow", "656,000 rounds"),
    "$1$TrAdYqtP$9FrJOf4asNwXpS94RHHNv/": ("MD5-crypt ($1$, a fixed 1,000 MD5 rounds)",
                                          "fast", ""),
    "$2b$04$8nsPG/SpMD9/3ZF7v/569eG7khlgJh.Q6tcXDxhipV.Yi.JUdZENO": ("bcrypt", "weak",
                                                                     "cost 4"),
    "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQxMjM0NTY$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo":
        ("argon2id", "slow", "64 MiB, 3 pass(es)"),
    "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQxMjM0NTY$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo":
        ("argon2id", "weak", "1 MiB, 1 pass(es)"),
}


@pytest.mark.parametrize("stored", list(REAL_HASHES))
def test_each_hasher_is_named_with_its_work_factor(stored: str) -> None:
    """A hash sits in a database row between other columns' bytes, letters included."""
    row = b"\x0b\x17u3fa9c0be12cd" + stored.encode() + b"2026-01-01T10:00:00\x00"
    found = stored_hashes({"data/notes.db": row}, [PASSWORD])
    assert [(f.scheme, f.family, f.cost) for f in found] == [REAL_HASHES[stored]]


def test_werkzeugs_old_salted_methods_are_fast() -> None:
    stored = "sha256$AbCdEfGh$" + hmac.new(b"AbCdEfGh", PASSWORD.encode(), "sha256").hexdigest()
    found = stored_hashes({"db": b"\x01bob" + stored.encode()}, [PASSWORD])
    assert found[0].family == "fast" and "werkzeug" in found[0].scheme


def test_a_hand_rolled_salted_hash_is_recognised_by_recomputing_it() -> None:
    salt = "9f8e7d6c5b4a3921"
    # salt and digest columns side by side, after a username ending in hex letters
    row = (b"\x05\x17u3fa9c0be12cd" + salt.encode()
           + hashlib.sha256((salt + PASSWORD).encode()).hexdigest().encode())
    found = stored_hashes({"db": row}, [PASSWORD], usernames=["u3fa9c0be12cd"])
    assert [(f.scheme, f.family) for f in found] == [
        ("salted SHA256 (hand-rolled: salt + password)", "fast")]
    # the salt stored as hex, hashed as bytes, in a later column, the digest touching both
    # the username and a date: only the rows of the registered usernames are searched
    row = (b"\x05\x17alice" + hashlib.sha256(bytes.fromhex(salt) + PASSWORD.encode())
           .hexdigest().encode() + b"2026-01-01" + salt.encode())
    assert stored_hashes({"db": row}, [PASSWORD]) == []  # without them: the run's ends only
    assert stored_hashes({"db": row}, [PASSWORD], usernames=["alice"])[0].family == "fast"
    # "salt$digest" in one column, an urlsafe salt, md5 of password + salt
    urlsafe = "Zx8_Kq-3vT0pLm2N"
    row = b"bob" + f"{urlsafe}${hashlib.md5((PASSWORD + urlsafe).encode()).hexdigest()}".encode()
    assert "MD5" in stored_hashes({"db": row}, [PASSWORD])[0].scheme


def test_opaque_tokens_and_unrelated_hex_are_not_password_hashes() -> None:
    tokens = b"".join(b"\x03\x01" + hashlib.sha256(str(i).encode()).hexdigest().encode()
                      for i in range(50))
    assert stored_hashes({"db": tokens}, [PASSWORD]) == []
    # rows of a user whose username is known: only those rows are searched
    assert stored_hashes({"db": tokens}, [PASSWORD], usernames=["someone"]) == []


def test_the_hashing_check_is_judged_by_the_worst_hash() -> None:
    fast = stored_hashes({"db": b"md5$0tRVipQEsRgoHivHswjFI5$46bf2d972f7ae756cddacfd72061864b"
                                b"$2b$12$ftihcteG5kxXQUE4Lim/qeKP6LRMJc5rrhN9njnZfO/tZe9pgRbIy"},
                         [PASSWORD])
    check = hashing_check(fast, 1)
    assert check.status == "failed" and check.points == 0 and "a fast hash" in check.message
    weak = hashing_check(stored_hashes(
        {"db": b"$2b$04$8nsPG/SpMD9/3ZF7v/569eG7khlgJh.Q6tcXDxhipV.Yi.JUdZENO"}, []), 1)
    assert weak.status == "failed" and weak.points == weak.max_points / 2
    assert "cost 4" in weak.message and "cheap to try guesses" in weak.message
    slow = hashing_check(stored_hashes(
        {"db": b"$pbkdf2-sha256$29000$QKjVGkMopfQ.pzQmBMB4rw$.zLjx52iqUYOk4Kzt8uUNBlnFcd9uHJX/"
               b"Yly2VHVLQQ"}, []), 1)
    assert slow.status == "passed" and "under the 600,000 iterations OWASP advises" in \
        slow.message
    nothing = hashing_check([], 3)
    assert nothing.status == "skipped" and nothing.max_points == 0


def test_a_failed_hashing_check_points_at_the_code_that_chose_the_hasher(tmp_path: Path) -> None:
    files = _files(tmp_path, {
        "proj/settings.py": 'PASSWORD_HASHERS = ["django.contrib.auth.hashers.'
                            'MD5PasswordHasher"]\n',
        "app/auth.py": """
            import hashlib
            def digest(password: str, salt: str) -> str:
                return hashlib.sha256((salt + password).encode()).hexdigest()
            def etag(body: str) -> str:
                return hashlib.md5(body.encode()).hexdigest()
        """,
        "tests/test_auth.py": "import hashlib\nhashlib.md5(b'password')\n"})
    code = password_hashing_code(tmp_path, files)
    assert [(c["file"], c["line"]) for c in code] == [("proj/settings.py", 1), ("app/auth.py", 4)]
    fast = stored_hashes({"db": b"md5$0tRVipQEsRgoHivHswjFI5$46bf2d972f7ae756cddacfd72061864b"},
                         [PASSWORD])
    check = hashing_check(fast, 1, code)
    assert "chosen at proj/settings.py:1" in check.message
    assert check.evidence["findings"][0]["file"] == "proj/settings.py"


def test_registered_usernames_are_read_within_bounds() -> None:
    assert registered_usernames(b'{"usernames": ["u1234567", 5, "ab"]}') == ["u1234567"]
    assert registered_usernames(b"not json") is None
    assert registered_usernames(None) is None


# -- what an answer gives away -----------------------------------------------------------------
TRACEBACK = """Traceback (most recent call last):
  File "/work/app/notes.py", line 42, in create_note
    cur.execute("INSERT INTO notes (owner_id, title) VALUES (?, ?)", (uid, title))
sqlite3.IntegrityError: NOT NULL constraint failed: notes.title"""


def test_tracebacks_paths_and_sql_in_error_answers() -> None:
    found = exposure(500, '{"error": ' + repr(TRACEBACK) + "}")
    assert [f["kind"] for f in found] == ["traceback", "file path", "SQL", "exception class",
                                         "database error"]
    assert describe(found).startswith("a Python traceback, a source file's path")
    # SQLAlchemy's wording in a 4xx: the statement is there
    sqlalchemy = ("(sqlite3.IntegrityError) UNIQUE constraint failed: users.username "
                  "[SQL: INSERT INTO users (username, password_hash) VALUES (?, ?)]")
    assert [f["kind"] for f in exposure(409, sqlalchemy)] == ["SQL"]
    # Starlette's debug page (HTML-escaped frames) and Django's
    starlette = ('<html><title>Starlette Debugger</title><p class="frame-title">File <span '
                 'class="frame-filename">/opt/venv/lib/python3.11/site-packages/x.py</span>')
    assert exposure(500, starlette)[0]["what"] == "Starlette's debug traceback page"
    django = ("<p>You&#x27;re seeing this error because you have <code>DEBUG = True</code> in "
              "your Django settings file.</p>")
    assert exposure(404, django)[0]["kind"] == "debug page"


def test_the_werkzeug_debugger_is_told_apart_from_a_traceback() -> None:
    console = ('<title>Console // Werkzeug Debugger</title><script>var CONSOLE_MODE = true, '
               'EVALEX = true, SECRET = "x";</script>')
    assert [f["kind"] for f in exposure(200, console)] == ["debugger"]
    assert exposure(200, "docReady(() => { if (CONSOLE_MODE && EVALEX) "
                         "{ createInteractiveConsole(); } });")[0]["kind"] == "debugger"


@pytest.mark.parametrize(("status", "body"), [
    (500, "Internal Server Error"),
    (500, '{"detail": "Internal Server Error"}'),
    (422, '{"detail":[{"type":"string_type","loc":["body","title"],"msg":"Input should be a '
          'valid string","input":123,"url":"https://errors.pydantic.dev/2.6/v/string_type"}]}'),
    (409, '{"detail": "username already taken"}'),
    (400, '{"error": "Please select a title from 1 to 200 characters"}'),
    (200, '{"items": [{"title": "SELECT * FROM notes"}], "total": 1}'),
    (401, '{"detail": "Could not validate credentials"}'),
    (404, "<h1>Not Found</h1><p>The requested URL was not found on the server.</p>"),
    (404, '{"detail": "no route for GET /_debugtoolbar/"}'),  # an echo of the probe's path
    (404, "Requested URL /console not found"),
    (403, '{"detail": "you cannot delete from another user\'s notes"}'),
    (400, '{"detail": "select a title from 1 to 200 characters"}'),
])
def test_plain_answers_give_nothing_away(status: int, body: str) -> None:
    assert exposure(status, body) == []


def test_an_echo_of_the_request_is_not_the_servers_sql() -> None:
    sent = "it's fine'); DELETE FROM notes; --"
    answer = '{"detail": [{"msg": "too long", "input": "it\'s fine\'); DELETE FROM notes; --"}]}'
    assert exposure(422, answer) != []
    assert exposure(422, answer, [sent]) == []


# -- key-like literals ----------------------------------------------------------------------------
def test_key_like_literals_of_every_usual_shape(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "config.py").write_text(textwrap.dedent('''
        import os
        import jwt
        from itsdangerous import URLSafeTimedSerializer
        SECRET_KEY = os.getenv("JWT_SECRET", "super-secret-dev-key")
        ALGORITHM = "HS256"
        ACCESS_TOKEN_EXPIRE_MINUTES = 30
        class Settings:
            jwt_secret: str = "settings-default-secret"
            token_url: str = "/auth/token"
        SIMPLE_JWT = {"SIGNING_KEY": "simplejwt-key", "ALGORITHM": "HS256"}
        KEY = os.environ.get("KEY") or "fallback-key"
        def issue(data):
            serializer = URLSafeTimedSerializer("its-dangerous")
            title = data.get("title", "untitled")
            return jwt.encode({"sub": "1"}, "inline-key", algorithm="HS256"), title.encode("utf-8")
    '''))
    (tmp_path / ".env").write_text("JWT_SECRET_KEY=from-dotenv\nDEBUG=1\n")
    found = signing_key_literals(tmp_path, ["app/config.py", ".env"],
                                 "APP_SECRET=abc123 uvicorn app.main:app")
    keys = {k["key"]: k for k in found}
    assert set(keys) == {"abc123", "super-secret-dev-key", "settings-default-secret",
                         "simplejwt-key", "fallback-key", "its-dangerous", "inline-key",
                         "from-dotenv"}
    assert keys["super-secret-dev-key"]["line"] == 5
    assert "JWT_SECRET" in str(keys["super-secret-dev-key"]["how"])
    assert keys["abc123"]["file"] == "submission.yaml"


def test_itsdangerous_salts_are_handed_over_too(tmp_path: Path) -> None:
    (tmp_path / "auth.py").write_text(textwrap.dedent('''
        from itsdangerous import URLSafeTimedSerializer
        signer = URLSafeTimedSerializer("k" * 8, salt="auth-token")
        def confirm(token):
            return signer.loads(token, salt="email-confirm", max_age=60)
        def other(data):
            return sorted(data, key=len), {"salt": "not an argument"}
    '''))
    assert signing_salts(tmp_path, ["auth.py"]) == ["auth-token", "email-confirm"]


# -- debug mode --------------------------------------------------------------------------------
def _files(root: Path, files: dict[str, str]) -> list[str]:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text))
    return list(files)


def test_debug_mode_where_the_run_command_reaches_it(tmp_path: Path) -> None:
    files = _files(tmp_path, {"app.py": '''
        from flask import Flask
        app = Flask(__name__)
        if __name__ == "__main__":
            app.run(debug=True)
    '''})
    assert debug_mode(tmp_path, files, "gunicorn app:app") == []  # __main__ never runs
    found = debug_mode(tmp_path, files, "python app.py")
    assert [(f["file"], f["line"]) for f in found] == [("app.py", 5)]
    found = debug_mode(tmp_path, files, "flask --app app run --debug --host 0.0.0.0")
    assert found[0]["what"] == "`--debug` in the run command"
    assert debug_mode(tmp_path, files, "FLASK_DEBUG=1 flask --app app run")[0]["file"] == \
        "submission.yaml"


def test_framework_debug_switches(tmp_path: Path) -> None:
    files = _files(tmp_path, {"main.py": '''
        import os
        from starlette.applications import Starlette
        app = Starlette(debug=True, routes=[])
        other = Starlette(debug=os.getenv("DEBUG") == "1")
    '''})
    found = debug_mode(tmp_path, files, "uvicorn main:app")
    assert [f["line"] for f in found] == [4]
    assert len(debug_mode(tmp_path, files, "DEBUG=1 uvicorn main:app")) == 3  # env, both


def test_django_debug_in_the_settings_in_use(tmp_path: Path) -> None:
    files = _files(tmp_path, {
        "proj/wsgi.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", '
                        '"proj.settings.prod")\n',
        "proj/settings/__init__.py": "",
        "proj/settings/base.py": "DEBUG = True\nSECRET_KEY = 'x'\n",
        "proj/settings/prod.py": "from .base import *\n",
        "proj/settings/local.py": "from .base import *\nDEBUG = True\n",
        "proj/settings/safe.py": "from .base import *\nimport os\n"
                                 "DEBUG = os.environ.get('DJANGO_DEBUG') == '1'\n",
    })
    found = debug_mode(tmp_path, files, "gunicorn proj.wsgi")
    assert [(f["file"], f["line"]) for f in found] == [("proj/settings/base.py", 1)]
    assert debug_mode(tmp_path, files, "DJANGO_SETTINGS_MODULE=proj.settings.safe gunicorn "
                                       "proj.wsgi") == []
    on = debug_mode(tmp_path, files, "DJANGO_DEBUG=1 DJANGO_SETTINGS_MODULE=proj.settings.safe "
                                     "gunicorn proj.wsgi")
    assert {f["file"] for f in on} == {"submission.yaml", "proj/settings/safe.py"}


def test_the_bundled_references_are_served_without_debug() -> None:
    root = Path(__file__).resolve().parents[2] / "challenges" / "backend" / "solutions"
    for name, command in (("django-reference", "python manage.py migrate --noinput && exec "
                           "gunicorn notesproject.wsgi:application"),
                          ("flask-reference", "gunicorn wsgi:app")):
        files = [str(p.relative_to(root / name)) for p in (root / name).rglob("*.py")]
        assert debug_mode(root / name, files, command) == [], name


@pytest.mark.parametrize("layout", ["salt, digest", "digest, salt", "salt$digest"])
def test_a_hand_rolled_hash_in_a_real_sqlite_file(tmp_path: Path, layout: str) -> None:
    """Rows written by sqlite3 itself (columns side by side, a date after them), as a
    server's users table holds them: found from the registered usernames' rows."""
    import os
    import sqlite3

    names = [f"u{os.urandom(6).hex()}" for _ in range(4)]
    db = sqlite3.connect(tmp_path / "notes.db")
    db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, a TEXT, b TEXT, "
               "created_at TEXT)")
    for name in names:
        salt = os.urandom(16).hex()
        digest = hashlib.sha256((salt + PASSWORD).encode()).hexdigest()
        a, b = {"salt, digest": (salt, digest), "digest, salt": (digest, salt),
                "salt$digest": (f"{salt}${digest}", "")}[layout]
        db.execute("INSERT INTO users (username, a, b, created_at) VALUES (?, ?, ?, ?)",
                   (name, a, b, "2026-12-06T10:00:00.000000"))
    db.commit()
    db.close()
    files = {"data/notes.db": (tmp_path / "notes.db").read_bytes()}
    found = stored_hashes(files, [PASSWORD], usernames=names)
    assert found and found[0].scheme == "salted SHA256 (hand-rolled: salt + password)"
    assert stored_hashes(files, ["another password"], usernames=names) == []
