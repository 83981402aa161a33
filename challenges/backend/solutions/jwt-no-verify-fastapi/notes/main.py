"""Notes service (FastAPI).

- POST /auth/register, POST /auth/token  -> JWT access tokens (HS256, `sub` = user id)
- CRUD + pagination on /notes, every query scoped to the logged-in user
- SQLite via SQLAlchemy 2.0, file in $DATA_DIR (see notes/database.py)
"""
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from notes import security
from notes.database import Base, engine, get_session
from notes.models import Note, User
from notes.schemas import (
    Credentials,
    NoteIn,
    NoteOut,
    NotePage,
    TokenOut,
    TokenRequest,
    UserOut,
)

SQLITE_MAX_INT = 2**63 - 1
MAX_BODY_BYTES = 1024 * 1024

NoteId = Annotated[int, Path(ge=1, le=SQLITE_MAX_INT)]
DbSession = Annotated[Session, Depends(get_session)]
CurrentUser = Annotated[User, Depends(security.get_current_user)]


@asynccontextmanager
async def lifespan(_app: FastAPI):
    Base.metadata.create_all(bind=engine)
    yield


app = FastAPI(title="Notes API", version="1.0", lifespan=lifespan)


@app.middleware("http")
async def limit_body_size(request: Request, call_next):
    content_length = request.headers.get("content-length")
    if content_length and content_length.isdigit() and int(content_length) > MAX_BODY_BYTES:
        return JSONResponse({"detail": "Request body too large"}, status_code=413)
    return await call_next(request)


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


# --- auth -------------------------------------------------------------------

@app.post("/auth/register", response_model=UserOut, status_code=status.HTTP_201_CREATED)
def register(creds: Credentials, db: DbSession) -> User:
    user = User(username=creds.username,
                password_hash=security.hash_password(creds.password))
    db.add(user)
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, "Username already taken")
    db.refresh(user)
    return user


@app.post("/auth/token", response_model=TokenOut)
def login(req: TokenRequest, db: DbSession) -> TokenOut:
    user = db.scalar(select(User).where(User.username == req.username))
    if user is None or not security.verify_password(req.password, user.password_hash):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Incorrect username or password",
                            headers={"WWW-Authenticate": "Bearer"})
    token = security.create_access_token(user.id, req.expires_in)
    return TokenOut(access_token=token, token_type="bearer", expires_in=req.expires_in)


# --- notes ------------------------------------------------------------------

def _get_own_note(db: Session, user: User, note_id: int) -> Note:
    note = db.scalar(select(Note).where(Note.id == note_id, Note.owner_id == user.id))
    if note is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Note not found")
    return note


@app.get("/notes", response_model=NotePage)
def list_notes(
    user: CurrentUser,
    db: DbSession,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=SQLITE_MAX_INT)] = 0,
) -> NotePage:
    total = db.scalar(select(func.count()).select_from(Note).where(Note.owner_id == user.id))
    rows = db.scalars(
        select(Note).where(Note.owner_id == user.id).order_by(Note.id).limit(limit).offset(offset)
    ).all()
    return NotePage(items=[NoteOut.model_validate(n) for n in rows], total=total or 0,
                    limit=limit, offset=offset)


@app.post("/notes", response_model=NoteOut, status_code=status.HTTP_201_CREATED)
def create_note(data: NoteIn, user: CurrentUser, db: DbSession) -> Note:
    note = Note(owner_id=user.id, title=data.title, body=data.body)
    db.add(note)
    db.commit()
    db.refresh(note)
    return note


@app.get("/notes/{note_id}", response_model=NoteOut)
def read_note(note_id: NoteId, user: CurrentUser, db: DbSession) -> Note:
    return _get_own_note(db, user, note_id)


@app.put("/notes/{note_id}", response_model=NoteOut)
def update_note(note_id: NoteId, data: NoteIn, user: CurrentUser, db: DbSession) -> Note:
    note = _get_own_note(db, user, note_id)
    note.title = data.title
    note.body = data.body
    db.commit()
    db.refresh(note)
    return note


@app.delete("/notes/{note_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_note(note_id: NoteId, user: CurrentUser, db: DbSession) -> None:
    note = _get_own_note(db, user, note_id)
    db.delete(note)
    db.commit()
