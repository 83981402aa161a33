from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.database import get_session
from app.models import Token, TokenRequest, User, UserCreate, UserRead
from app.security import create_access_token, hash_password, verify_password

router = APIRouter(prefix="/auth", tags=["auth"])
Session = Annotated[AsyncSession, Depends(get_session)]


@router.post("/register", response_model=UserRead, status_code=status.HTTP_201_CREATED)
async def register(payload: UserCreate, session: Session) -> User:
    user = User(username=payload.username, password_hash=await hash_password(payload.password))
    session.add(user)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, detail="Username already registered")
    await session.refresh(user)
    return user


@router.post("/token", response_model=Token)
async def issue_token(payload: TokenRequest, session: Session) -> Token:
    result = await session.exec(select(User).where(User.username == payload.username))
    user = result.first()
    if user is None or not await verify_password(payload.password, user.password_hash):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="Bad username or password")
    return Token(access_token=create_access_token(user, payload.expires_in),
                 expires_in=payload.expires_in)
