"""CRUD on the current user's notes. Another user's note is reported as not found."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response, status
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import get_session
from app.models import Note, User, utcnow
from app.schemas import NoteIn, NoteOut, NotePage
from app.security import current_user

router = APIRouter(prefix="/notes", tags=["notes"])
NoteId = Annotated[int, Path(ge=1, le=2**63 - 1)]


async def _own_note(session: AsyncSession, user: User, note_id: int) -> Note:
    note = await session.get(Note, note_id)
    if note is None:  # flawed on purpose: no ownership check
        raise HTTPException(status.HTTP_404_NOT_FOUND, "note not found")
    return note


@router.get("", response_model=NotePage)
async def list_notes(
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
    user: User = Depends(current_user),
    session: AsyncSession = Depends(get_session),
) -> NotePage:
    total = await session.scalar(select(func.count()).where(Note.owner_id == user.id))
    rows = await session.scalars(select(Note).where(Note.owner_id == user.id)
                                 .order_by(Note.id).limit(limit).offset(offset))
    return NotePage(items=[NoteOut.model_validate(n) for n in rows], total=total or 0,
                    limit=limit, offset=offset)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=NoteOut)
async def create_note(data: NoteIn, user: User = Depends(current_user),
                      session: AsyncSession = Depends(get_session)) -> Note:
    note = Note(owner_id=user.id, title=data.title, body=data.body)
    session.add(note)
    await session.commit()
    return note


@router.get("/{note_id}", response_model=NoteOut)
async def get_note(note_id: NoteId, user: User = Depends(current_user),
                   session: AsyncSession = Depends(get_session)) -> Note:
    return await _own_note(session, user, note_id)


@router.put("/{note_id}", response_model=NoteOut)
async def update_note(note_id: NoteId, data: NoteIn, user: User = Depends(current_user),
                      session: AsyncSession = Depends(get_session)) -> Note:
    note = await _own_note(session, user, note_id)
    note.title, note.body, note.updated_at = data.title, data.body, utcnow()
    await session.commit()
    return note


@router.delete("/{note_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_note(note_id: NoteId, user: User = Depends(current_user),
                      session: AsyncSession = Depends(get_session)) -> Response:
    note = await _own_note(session, user, note_id)
    await session.delete(note)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
