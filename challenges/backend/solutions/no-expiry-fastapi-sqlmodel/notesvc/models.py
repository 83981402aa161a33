"""Tables and request/response shapes."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import StringConstraints
from sqlmodel import Field, SQLModel

from notesvc import config


def utcnow() -> datetime:
    return datetime.now(UTC)


# --- tables -----------------------------------------------------------------------------


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True, max_length=32)
    password_hash: str
    created_at: datetime = Field(default_factory=utcnow)


class AuthToken(SQLModel, table=True):
    __tablename__ = "auth_token"

    key: str = Field(primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class Note(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="user.id", index=True)
    title: str = Field(max_length=200)
    body: str = Field(default="", max_length=10_000)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


# --- API schemas --------------------------------------------------------------------------


Username = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_]{3,32}$")]


class RegisterRequest(SQLModel):
    username: Username
    password: str = Field(min_length=8, max_length=128)


class UserPublic(SQLModel):
    id: int
    username: str


class TokenRequest(SQLModel):
    username: str
    password: str
    expires_in: int = Field(
        default=config.DEFAULT_TOKEN_LIFETIME, ge=1, le=config.MAX_TOKEN_LIFETIME
    )


class TokenResponse(SQLModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class NoteWrite(SQLModel):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(default="", max_length=10_000)


class NotePublic(SQLModel):
    id: int
    title: str
    body: str
    created_at: datetime
    updated_at: datetime


class NotePage(SQLModel):
    items: list[NotePublic]
    total: int
    limit: int
    offset: int
