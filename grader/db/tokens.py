"""Unguessable tokens (invite links, API tokens): made with `secrets`, kept only as their
sha256, looked up by that hash and compared in constant time. A token is 256 random bits, so
a plain sha256 (no salt, no stretching) is enough: nothing to guess from the hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

TOKEN_BYTES = 32
HINT_CHARS = 6


@dataclass(frozen=True)
class NewToken:
    plain: str      # shown once (the link, the API token); never stored
    hash: str       # what the database keeps
    hint: str       # the first characters, to tell tokens apart in lists


def token_hash(plain: str) -> str:
    return hashlib.sha256(plain.encode("utf-8", "surrogatepass")).hexdigest()


def new_token() -> NewToken:
    plain = secrets.token_urlsafe(TOKEN_BYTES)
    return NewToken(plain, token_hash(plain), plain[:HINT_CHARS])


def matches(plain: str, stored_hash: str) -> bool:
    """Whether `plain` is the token whose hash is `stored_hash` (constant time)."""
    return hmac.compare_digest(token_hash(plain), stored_hash)
