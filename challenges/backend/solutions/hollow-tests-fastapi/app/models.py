from datetime import datetime, timezone

from pydantic import BaseModel
from pydantic import Field as PydanticField
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# ---------- tables ----------

class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True, max_length=32)
    password_hash: str


class Note(SQLModel, table=True):
    __tablename__ = "notes"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="users.id", index=True)
    title: str = Field(max_length=200)
    body: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


# ---------- API schemas ----------

class UserCreate(BaseModel):
    username: str = PydanticField(pattern=r"^[A-Za-z0-9_]{3,32}$")
    password: str = PydanticField(min_length=8, max_length=128)


class UserRead(SQLModel):
    id: int
    username: str


class TokenRequest(SQLModel):
    username: str
    password: str
    expires_in: int = Field(default=3600, ge=1, le=86400)


class Token(SQLModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class NoteWrite(SQLModel):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(default="", max_length=10_000)


class NoteRead(SQLModel):
    id: int
    title: str
    body: str
    created_at: datetime
    updated_at: datetime


class NotePage(SQLModel):
    items: list[NoteRead]
    total: int
    limit: int
    offset: int
