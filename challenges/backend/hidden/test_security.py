"""Security: input reaches SQL as data (quotes round-trip, an injection cannot log in), and a
token cannot be forged (one character changed; for JWTs, re-signed with `alg: none`, another
key or a key written in the submission's own code, claiming another user; for itsdangerous
tokens, re-signed with a key of the code)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import zlib
from pathlib import Path
from typing import Any

import pytest
from conftest import Api, User, _json, created, note, point_at, record_exchange, refused

#: The key-like string literals of the candidate's own code, found by the grader on the host
#: (grader/analysis/signing_keys.py): {"keys": [{"key", "file", "line", "how"}], "salts":
#: [the salt= literals of itsdangerous serializers]}.
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


def _code_salts() -> list[bytes]:
    try:
        data = json.loads(CODE_KEYS.read_text())
    except (OSError, ValueError):
        return []
    salts = data.get("salts") if isinstance(data, dict) else None
    return [x.encode() for x in salts if isinstance(x, str)][:10] if isinstance(
        salts, list) else []


ITS_DIGESTS = {20: hashlib.sha1, 32: hashlib.sha256, 48: hashlib.sha384, 64: hashlib.sha512}


def _its_parts(token: str) -> tuple[Any, bool, int] | None:
    """(payload, timed, signature length) of an itsdangerous URL-safe token, or None."""
    if _jwt_parts(token) is not None:
        return None
    compressed = token.startswith(".")
    parts = (token[1:] if compressed else token).split(".")
    if len(parts) not in (2, 3):
        return None
    try:
        raw = _unb64(parts[0])
        payload = json.loads(zlib.decompress(raw) if compressed else raw)
        signature = _unb64(parts[-1])
        stamp = int.from_bytes(_unb64(parts[1]), "big") if len(parts) == 3 else None
    except (ValueError, zlib.error):
        return None
    if len(signature) not in ITS_DIGESTS or (
            stamp is not None and abs(stamp - time.time()) > 10 * 365 * 86400):
        return None
    return payload, stamp is not None, len(signature)


def _its_token(payload: Any, timed: bool, key: bytes, salt: bytes, size: int) -> str:
    """An itsdangerous token (django-concat key derivation, its default) of `payload`."""
    digest = ITS_DIGESTS[size]
    value = _b64(json.dumps(payload, separators=(",", ":")).encode())
    if timed:
        now = int(time.time())
        value += "." + _b64(now.to_bytes((now.bit_length() + 7) // 8, "big"))
    derived = digest(salt + b"signer" + key).digest()
    return f"{value}.{_b64(hmac.new(derived, value.encode(), digest).digest())}"


@pytest.mark.points(3)
def test_itsdangerous_token_signed_with_a_key_from_the_code_is_401(
        api: Api, user: User, other_user: User) -> None:
    """An itsdangerous token re-signed, carrying another user's claims, with a key-like
    string written in the submission's own code is refused."""
    mine, theirs = _its_parts(user.token), _its_parts(other_user.token)
    if mine is None or theirs is None:
        pytest.skip("the tokens are not itsdangerous tokens: there is no signature to forge")
    keys = _code_keys()
    if not keys:
        pytest.skip("no string in the submission's code looks like a signing key")
    payload, timed, size = theirs
    salts = [b"itsdangerous", *_code_salts()]
    control = api.get("/notes", token=_its_token(payload, timed, b"wrong-key-by-the-grader",
                                                 salts[0], size))
    if 200 <= control.status_code < 300:
        pytest.skip("a token signed with a key of the grader's is accepted too: no key is "
                    "checked (tampered_token_is_401 judges that)")
    for key in keys:
        for salt in salts:
            r = api.get("/notes", token=_its_token(payload, timed, key["key"].encode(), salt,
                                                   size))
            if 200 <= r.status_code < 300:
                point_at(str(key.get("file", "")), int(key.get("line") or 0),
                         str(key.get("how", "")))
                raise AssertionError(
                    f"an itsdangerous token carrying another user's claims, signed with "
                    f"{_shown(key['key'])} from {key.get('file')}:{key.get('line')} "
                    f"({key.get('how')}), salt {salt.decode(errors='replace')!r}, was "
                    "accepted: anyone who reads the code can sign in as any user")
    note(f"{len(keys)} key-like string(s) from the code tried with {len(salts)} salt(s)")
