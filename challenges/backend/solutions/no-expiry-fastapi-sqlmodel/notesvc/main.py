"""Notes API: FastAPI + SQLModel on SQLite.

Users register, exchange their credentials for an opaque bearer token and manage their own
notes. The database lives in $DATA_DIR/notes.db and is created on start-up.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import FastAPI, HTTPException, Path, Query, Response, status
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from notesvc import config
from notesvc.db import init_db
from notesvc.models import (
    Note,
    NotePage,
    NotePublic,
    NoteWrite,
    RegisterRequest,
    TokenRequest,
    TokenResponse,
    User,
    UserPublic,
    utcnow,
)
from notesvc.security import (
    CurrentUser,
    DbSession,
    hash_password,
    issue_token,
    verify_password,
)


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    init_db()
    yield


app = FastAPI(title="Notes API", version="1.0", lifespan=lifespan)

NoteId = Annotated[int, Path(ge=1, le=config.SQLITE_MAX_INT)]


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


# --- auth -------------------------------------------------------------------------------


@app.post("/auth/register", status_code=status.HTTP_201_CREATED, response_model=UserPublic)
def register(payload: RegisterRequest, session: DbSession) -> User:
    existing = session.exec(select(User).where(User.username == payload.username)).first()
    if existing is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, "Username already taken")
    user = User(username=payload.username, password_hash=hash_password(payload.password))
    session.add(user)
    try:
        session.commit()
    except IntegrityError:  # two registrations raced for the same name
        session.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, "Username already taken") from None
    session.refresh(user)
    return user


@app.post("/auth/token", response_model=TokenResponse)
def login(payload: TokenRequest, session: DbSession) -> TokenResponse:
    user = session.exec(select(User).where(User.username == payload.username)).first()
    if user is None or not verify_password(payload.password, user.password_hash):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Incorrect username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    token = issue_token(session, user, payload.expires_in)
    return TokenResponse(access_token=token.key, expires_in=payload.expires_in)


# --- notes ------------------------------------------------------------------------------


def _owned_note(session: DbSession, user: User, note_id: int) -> Note:
    note = session.exec(
        select(Note).where(Note.id == note_id, Note.owner_id == user.id)
    ).first()
    if note is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Note not found")
    return note


@app.get("/notes", response_model=NotePage)
def list_notes(
    user: CurrentUser,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=config.PAGE_SIZE_MAX)] = config.PAGE_SIZE_DEFAULT,
    offset: Annotated[int, Query(ge=0, le=config.SQLITE_MAX_INT)] = 0,
) -> NotePage:
    total = session.exec(select(func.count()).select_from(Note).where(Note.owner_id == user.id)).one()
    notes = session.exec(
        select(Note)
        .where(Note.owner_id == user.id)
        .order_by(Note.created_at, Note.id)
        .offset(offset)
        .limit(limit)
    ).all()
    return NotePage(
        items=[NotePublic.model_validate(n) for n in notes],
        total=total,
        limit=limit,
        offset=offset,
    )


@app.post("/notes", status_code=status.HTTP_201_CREATED, response_model=NotePublic)
def create_note(payload: NoteWrite, user: CurrentUser, session: DbSession) -> Note:
    assert user.id is not None
    note = Note(owner_id=user.id, title=payload.title, body=payload.body)
    session.add(note)
    session.commit()
    session.refresh(note)
    return note


@app.get("/notes/{note_id}", response_model=NotePublic)
def read_note(note_id: NoteId, user: CurrentUser, session: DbSession) -> Note:
    return _owned_note(session, user, note_id)


@app.put("/notes/{note_id}", response_model=NotePublic)
def replace_note(
    note_id: NoteId, payload: NoteWrite, user: CurrentUser, session: DbSession
) -> Note:
    note = _owned_note(session, user, note_id)
    note.title = payload.title
    note.body = payload.body
    note.updated_at = utcnow()
    session.add(note)
    session.commit()
    session.refresh(note)
    return note


@app.delete("/notes/{note_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_note(note_id: NoteId, user: CurrentUser, session: DbSession) -> Response:
    note = _owned_note(session, user, note_id)
    session.delete(note)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
