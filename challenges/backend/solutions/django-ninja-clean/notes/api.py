"""The Notes API: one NinjaAPI, a router for accounts and one for notes."""

from asgiref.sync import sync_to_async
from django.contrib.auth import aauthenticate
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from ninja import NinjaAPI, Path, Query, Router
from ninja.errors import HttpError

from notes.auth import BearerToken, issue_token
from notes.models import Note
from notes.schemas import (
    CredentialsIn,
    Message,
    NoteIn,
    NoteOut,
    NotePage,
    TokenIn,
    TokenOut,
    UserOut,
)

MAX_ID = 2**63 - 1

api = NinjaAPI(title="Notes API", version="1.0", auth=BearerToken(), urls_namespace="notes")
accounts = Router(tags=["auth"], auth=None)
notes = Router(tags=["notes"])


@api.get("/health", auth=None)
async def health(request: HttpRequest) -> dict[str, str]:
    return {"status": "ok"}


def _create_user(username: str, password: str) -> User:
    with transaction.atomic():
        return User.objects.create_user(username=username, password=password)


@accounts.post("/register", response={201: UserOut, 409: Message})
async def register(request: HttpRequest, payload: CredentialsIn) -> tuple[int, object]:
    try:
        user = await sync_to_async(_create_user)(payload.username, payload.password)
    except IntegrityError:
        return 409, {"detail": "that username is taken"}
    return 201, user


@accounts.post("/token", response={200: TokenOut, 401: Message})
async def token(request: HttpRequest, payload: TokenIn) -> tuple[int, object]:
    # authenticate() runs the hasher for unknown users too, so both failures look alike.
    user = await aauthenticate(request, username=payload.username, password=payload.password)
    if user is None:
        return 401, {"detail": "invalid username or password"}
    access = await issue_token(user, payload.expires_in)
    return 200, {"access_token": access, "token_type": "bearer",
                 "expires_in": payload.expires_in}


async def _own_note(request: HttpRequest, note_id: int) -> Note:
    note = await Note.objects.filter(id=note_id, owner=request.auth).afirst()
    if note is None:
        raise HttpError(404, "note not found")
    return note


@notes.get("", response=NotePage)
async def list_notes(request: HttpRequest, limit: int = Query(20, ge=1, le=100),
                     offset: int = Query(0, ge=0, le=MAX_ID)) -> dict[str, object]:
    mine = Note.objects.filter(owner=request.auth)
    total = await mine.acount()
    items = [note async for note in mine.order_by("id")[offset:offset + limit]]
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@notes.post("", response={201: NoteOut})
async def create_note(request: HttpRequest, payload: NoteIn) -> tuple[int, Note]:
    note = await Note.objects.acreate(owner=request.auth, title=payload.title,
                                      body=payload.body)
    return 201, note


@notes.get("/{note_id}", response=NoteOut)
async def get_note(request: HttpRequest, note_id: int = Path(..., ge=1, le=MAX_ID)) -> Note:
    return await _own_note(request, note_id)


@notes.put("/{note_id}", response=NoteOut)
async def replace_note(request: HttpRequest, payload: NoteIn,
                       note_id: int = Path(..., ge=1, le=MAX_ID)) -> Note:
    note = await _own_note(request, note_id)
    note.title, note.body = payload.title, payload.body
    await note.asave(update_fields=["title", "body", "updated_at"])
    return note


@notes.delete("/{note_id}", response={204: None})
async def delete_note(request: HttpRequest,
                      note_id: int = Path(..., ge=1, le=MAX_ID)) -> tuple[int, None]:
    note = await _own_note(request, note_id)
    await note.adelete()
    return 204, None


api.add_router("/auth", accounts)
api.add_router("/notes", notes)
