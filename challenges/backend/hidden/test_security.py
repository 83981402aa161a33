"""Security: input reaches SQL as data (quotes round-trip, an injection cannot log in), and a
token cannot be forged (one character changed; for JWTs, re-signed with `alg: none`, another
key or a key written in the submission's own code, claiming another user)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import Api, User, _json, created, note, point_at, record_exchange, refused

#: The key-like string literals of the candidate's own code, found by the grader on the host
#: (grader/analysis/signing_keys.py): {"keys": [{"key", "file", "line", "how"}]}.
CODE_KEYS = Path("signing_keys.json")
HMAC_ALGS = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}

QUOTED_TITLE = 'O\'Brien\'s "note"; --'
QUOTED_BODY = "it's fine'); DROP TABLE notes; --"


@pytest.mark.points(2)
def test_quotes_round_trip(api: Api, user: User) -> None:
    """A title and body full of quotes and SQL are stored and returned unchanged."""
    r = api.post("/notes", token=user.token, json={"title": QUOTED_TITLE, "body": QUOTED_BODY})
    assert created(r.status_code), f"creating a note with quotes gave {r.status_code}"
    back = api.get(f"/notes/{r.json()['id']}", token=user.token)
    assert back.status_code == 200
    assert back.json()["title"] == QUOTED_TITLE and back.json()["body"] == QUOTED_BODY
    assert api.get("/notes", token=user.token).status_code == 200, "the notes table broke"


@pytest.mark.points(4)
@pytest.mark.parametrize("username", ["x' OR '1'='1' --", "' OR 1=1 --", 'x" OR "1"="1" --'])
def test_sql_injection_cannot_log_in(api: Api, user: User, username: str) -> None:
    """Logging in with SQL in the username gets no token (any refusal will do: the status of
    a failed login is the contract tests' business)."""
    r = api.post("/auth/token", json={"username": username, "password": "not the password"})
    body = _json(r)
    token = body.get("access_token") if isinstance(body, dict) else None
    assert not (200 <= r.status_code < 300 or token), (
        f"an injected username was answered with {'a token' if token else r.status_code}: "
        "the SQL in it decided who logged in")
    if r.status_code >= 500:
        injected = api.last_exchange
        plain = api.post("/auth/token", json={"username": "nobody_plain_x1",
                                              "password": "not the password"})
        if plain.status_code < 500:
            record_exchange(injected)  # the crash is the evidence
        assert plain.status_code >= 500, (
            f"the injected username crashed the login ({r.status_code}) where a plain unknown "
            f"username did not ({plain.status_code}): its quote reached the SQL")
        note(f"answered {r.status_code}, as a plain unknown username is: a crash, not the quote "
             "(unknown_user_is_401 judges it)")
        return
    note(f"refused with {r.status_code}, no token")


@pytest.mark.points(3)
def test_tampered_token_is_401(api: Api, user: User) -> None:
    """A freshly issued token with one character changed is refused (for a JWT, a character
    of its signature: the claims stay valid, only the signature no longer matches)."""
    token = user.token
    start = token.rfind(".") + 1 if token.count(".") == 2 else 0
    i = start + (len(token) - start) // 2
    forged = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1:]
    assert refused(api.get("/notes", token=forged).status_code), "the tampered token works"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _jwt_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        header, payload = json.loads(_unb64(parts[0])), json.loads(_unb64(parts[1]))
    except ValueError:
        return None
    if not isinstance(header, dict) or "alg" not in header or not isinstance(payload, dict):
        return None
    return header, payload


def _jwt(header: dict[str, Any], payload: dict[str, Any], key: bytes | None) -> str:
    """A JWT of these header and claims, signed with `key` by the header's HMAC algorithm
    (unsigned when `key` is None)."""
    head = _b64(json.dumps(header, separators=(",", ":")).encode())
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    if key is None:
        return f"{head}.{body}."
    digest = HMAC_ALGS.get(str(header.get("alg")), hashlib.sha256)
    signature = hmac.new(key, f"{head}.{body}".encode(), digest).digest()
    return f"{head}.{body}.{_b64(signature)}"


def _claims_for_other(payload: dict[str, Any], mine: User, other: User) -> dict[str, Any]:
    """The payload with every claim naming `mine` replaced by `other`'s values."""
    theirs = _jwt_parts(other.token)
    other_payload = theirs[1] if theirs else {}
    forged = dict(payload)
    for key, value in payload.items():
        if value == mine.username:
            forged[key] = other.username
        elif key in other_payload and key not in ("exp", "iat", "nbf", "jti"):
            forged[key] = other_payload[key]
    return forged


def _jwt_or_skip(user: User) -> tuple[dict[str, Any], dict[str, Any]]:
    parts = _jwt_parts(user.token)
    if parts is None:  # does not apply: the grader counts a skipped test for nothing
        pytest.skip("the tokens are opaque (not JWTs): there is no signature to forge")
    return parts  # type: ignore[return-value]


@pytest.mark.points(3)
def test_jwt_with_alg_none_is_401(api: Api, user: User, other_user: User) -> None:
    """A JWT re-issued unsigned (`alg: none`) in another user's name is refused."""
    header, payload = _jwt_or_skip(user)
    forged = _jwt({**header, "alg": "none"}, _claims_for_other(payload, user, other_user), None)
    r = api.get("/notes", token=forged)
    assert refused(r.status_code), f"an unsigned token was accepted ({r.status_code})"


@pytest.mark.points(3)
@pytest.mark.parametrize("key", [b"secret", b"wrong-key-by-the-grader"])
def test_jwt_signed_with_another_key_is_401(api: Api, user: User, other_user: User,
                                            key: bytes) -> None:
    """A JWT re-signed with a key the server does not hold, in another user's name, is
    refused."""
    header, payload = _jwt_or_skip(user)
    forged = _jwt({**header, "alg": "HS256"}, _claims_for_other(payload, user, other_user), key)
    r = api.get("/notes", token=forged)
    assert refused(r.status_code), f"a token signed with {key.decode()!r} was accepted"



def _code_keys() -> list[dict[str, Any]]:
    try:
        data = json.loads(CODE_KEYS.read_text())
    except (OSError, ValueError):
        return []
    keys = data.get("keys") if isinstance(data, dict) else None
    return [k for k in keys if isinstance(k, dict) and isinstance(k.get("key"), str)
            and k["key"]][:30] if isinstance(keys, list) else []


def _shown(key: str) -> str:
    return repr(key if len(key) <= 12 else key[:8] + "...")


@pytest.mark.points(3)
def test_jwt_signed_with_a_key_from_the_code_is_401(api: Api, user: User,
                                                   other_user: User) -> None:
    """A JWT re-signed, in another user's name, with a key-like string written in the
    submission's own code is refused: a key in the repository signs tokens for anyone."""
    header, payload = _jwt_or_skip(user)
    alg = str(header.get("alg"))
    if alg not in HMAC_ALGS:
        pytest.skip(f"the tokens are signed with {alg}, not an HMAC: a string cannot sign them")
    keys = _code_keys()
    if not keys:
        pytest.skip("no string in the submission's code looks like a signing key")
    claims = _claims_for_other(payload, user, other_user)
    control = api.get("/notes", token=_jwt(header, claims, b"wrong-key-by-the-grader"))
    if 200 <= control.status_code < 300:  # any key will do: the code's keys are not the cause
        pytest.skip("a token signed with a key of the grader's is accepted too: no key is "
                    "checked (jwt_signed_with_another_key_is_401 judges that)")
    for key in keys:
        r = api.get("/notes", token=_jwt(header, claims, key["key"].encode()))
        if 200 <= r.status_code < 300:
            point_at(str(key.get("file", "")), int(key.get("line") or 0), str(key.get("how", "")))
            raise AssertionError(
                f"a token naming another user, signed ({alg}) with {_shown(key['key'])} from "
                f"{key.get('file')}:{key.get('line')} ({key.get('how')}), was accepted: anyone "
                "who reads the code can sign in as any user")
    note(f"{len(keys)} key-like string(s) from the code tried ({alg}); none signs tokens")
