from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response, status
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.database import get_session
from app.models import Note, NotePage, NoteRead, NoteWrite, User, utcnow
from app.security import CurrentUser

router = APIRouter(prefix="/notes", tags=["notes"])
Session = Annotated[AsyncSession, Depends(get_session)]
NoteId = Annotated[int, Path(ge=1, le=2**63 - 1)]


async def _load_note(session: AsyncSession, user: User, note_id: int) -> Note:
    result = await session.exec(
        select(Note).where(Note.id == note_id, Note.owner_id == user.id))
    note = result.first()
    if note is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Note not found")
    return note


@router.get("", response_model=NotePage)
async def list_notes(
    user: CurrentUser,
    session: Session,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
) -> NotePage:
    total = (await session.exec(
        select(func.count()).select_from(Note).where(Note.owner_id == user.id))).one()
    notes = (await session.exec(
        select(Note).where(Note.owner_id == user.id)
        .order_by(col(Note.id)).offset(offset).limit(limit))).all()
    return NotePage(items=[NoteRead.model_validate(n, from_attributes=True) for n in notes],
                    total=total, limit=limit, offset=offset)


@router.post("", response_model=NoteRead, status_code=status.HTTP_201_CREATED)
async def create_note(payload: NoteWrite, user: CurrentUser, session: Session) -> Note:
    note = Note(owner_id=user.id, title=payload.title, body=payload.body)
    session.add(note)
    await session.commit()
    await session.refresh(note)
    return note


@router.get("/{note_id}", response_model=NoteRead)
async def get_note(note_id: NoteId, user: CurrentUser, session: Session) -> Note:
    return await _load_note(session, user, note_id)


@router.put("/{note_id}", response_model=NoteRead)
async def replace_note(note_id: NoteId, payload: NoteWrite, user: CurrentUser,
                       session: Session) -> Note:
    note = await _load_note(session, user, note_id)
    note.title = payload.title
    note.body = payload.body
    note.updated_at = utcnow()
    session.add(note)
    await session.commit()
    await session.refresh(note)
    return note


@router.delete("/{note_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_note(note_id: NoteId, user: CurrentUser, session: Session) -> Response:
    note = await _load_note(session, user, note_id)
    await session.delete(note)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
