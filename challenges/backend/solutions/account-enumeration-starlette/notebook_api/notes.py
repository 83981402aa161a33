"""Notes endpoints: the collection and one note, each an HTTPEndpoint."""

import re

from sqlalchemy import func, select
from starlette.endpoints import HTTPEndpoint
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from notebook_api.accounts import current_account
from notebook_api.errors import read_object
from notebook_api.models import Note, utcnow


def note_fields(data: dict) -> tuple[str, str]:
    title, body = data.get("title"), data.get("body", "")
    if not isinstance(title, str) or not 1 <= len(title) <= 200:
        raise HTTPException(422, "title must be a string of 1-200 characters")
    if not isinstance(body, str) or len(body) > 10_000:
        raise HTTPException(422, "body must be a string of at most 10000 characters")
    return title, body


def page_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"\d{1,18}", raw) or not low <= int(raw) <= high:
        raise HTTPException(422, f"{name} must be an integer from {low} to {high}")
    return int(raw)


def note_id(request: Request) -> int:
    raw = request.path_params["note_id"]
    if not re.fullmatch(r"\d{1,18}", raw) or int(raw) < 1:
        raise HTTPException(404, "note not found")
    return int(raw)


class NoteCollection(HTTPEndpoint):
    async def get(self, request: Request) -> JSONResponse:
        owner = await current_account(request)
        limit = page_param(request, "limit", 20, 1, 100)
        offset = page_param(request, "offset", 0, 0, 10**15)
        async with request.app.state.db.session() as session:
            total = await session.scalar(select(func.count(Note.id))
                                         .where(Note.account_id == owner))
            rows = await session.scalars(select(Note).where(Note.account_id == owner)
                                         .order_by(Note.id).limit(limit).offset(offset))
            items = [n.public() for n in rows]
        return JSONResponse({"items": items, "total": total, "limit": limit, "offset": offset})

    async def post(self, request: Request) -> JSONResponse:
        owner = await current_account(request)
        title, body = note_fields(await read_object(request))
        async with request.app.state.db.session() as session:
            note = Note(account_id=owner, title=title, body=body)
            session.add(note)
            await session.commit()
            return JSONResponse(note.public(), status_code=201)


class NoteItem(HTTPEndpoint):
    async def _owned(self, session, request: Request, owner: int) -> Note:
        note = await session.get(Note, note_id(request))
        if note is None or note.account_id != owner:
            raise HTTPException(404, "note not found")
        return note

    async def get(self, request: Request) -> JSONResponse:
        owner = await current_account(request)
        async with request.app.state.db.session() as session:
            return JSONResponse((await self._owned(session, request, owner)).public())

    async def put(self, request: Request) -> JSONResponse:
        owner = await current_account(request)
        async with request.app.state.db.session() as session:
            note = await self._owned(session, request, owner)
            note.title, note.body = note_fields(await read_object(request))
            note.updated_at = utcnow()
            await session.commit()
            return JSONResponse(note.public())

    async def delete(self, request: Request) -> Response:
        owner = await current_account(request)
        async with request.app.state.db.session() as session:
            await session.delete(await self._owned(session, request, owner))
            await session.commit()
        return Response(status_code=204)
