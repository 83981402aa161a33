"""Request and response bodies.

Request bodies are plain pydantic models: ninja.Schema reads attributes off whatever it is
given (it is meant for ORM objects), so a JSON string body would pass as a note. Unknown
fields in a request are ignored, so a client cannot set a note's id or owner.
"""

from datetime import datetime

from ninja import Schema
from pydantic import BaseModel, Field

USERNAME_PATTERN = r"^[A-Za-z0-9_]{3,32}$"


class CredentialsIn(BaseModel):
    username: str = Field(pattern=USERNAME_PATTERN)
    password: str = Field(min_length=8, max_length=128)


class TokenIn(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=128)
    expires_in: int = Field(3600, ge=1, le=86400)


class TokenOut(Schema):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class UserOut(Schema):
    id: int
    username: str


class NoteIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field("", max_length=10_000)


class NoteOut(Schema):
    id: int
    title: str
    body: str
    created_at: datetime
    updated_at: datetime


class NotePage(Schema):
    items: list[NoteOut]
    total: int
    limit: int
    offset: int


class Message(Schema):
    detail: str
