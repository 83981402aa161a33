"""Request and response bodies (msgspec structs, validated by Litestar)."""

from __future__ import annotations

from typing import Annotated

import msgspec

Username = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_]{3,32}$")]
Password = Annotated[str, msgspec.Meta(min_length=8, max_length=128)]
Lifetime = Annotated[int, msgspec.Meta(ge=1, le=86_400)]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Body = Annotated[str, msgspec.Meta(max_length=10_000)]


class Registration(msgspec.Struct):
    username: Username
    password: Password


class Account(msgspec.Struct):
    id: int
    username: str


class Credentials(msgspec.Struct):
    username: str
    password: str
    expires_in: Lifetime = 3600


class TokenOut(msgspec.Struct):
    access_token: str
    expires_in: int
    token_type: str = "bearer"


class NoteIn(msgspec.Struct):
    title: Title
    body: Body = ""


class NoteOut(msgspec.Struct):
    id: int
    title: str
    body: str
    created_at: str
    updated_at: str


class NotePage(msgspec.Struct):
    items: list[NoteOut]
    total: int
    limit: int
    offset: int
