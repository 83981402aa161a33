"""POST /auth/register and POST /auth/token."""

from fastapi import APIRouter, Depends, HTTPException, status
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import get_session
from app.models import User
from app.schemas import RegisterIn, TokenIn, TokenOut, UserOut
from app.security import hash_password, issue_token, verify_password

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/register", status_code=status.HTTP_201_CREATED, response_model=UserOut)
async def register(data: RegisterIn, session: AsyncSession = Depends(get_session)) -> User:
    user = User(username=data.username, password_hash=await hash_password(data.password))
    session.add(user)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, "username already taken") from None
    return user


@router.post("/token", response_model=TokenOut)
async def token(data: TokenIn, session: AsyncSession = Depends(get_session)) -> TokenOut:
    user = await session.scalar(select(User).where(User.username == data.username))
    if user is None or not await verify_password(data.password, user.password_hash):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong username or password")
    return TokenOut(access_token=await issue_token(session, user, data.expires_in),
                    expires_in=data.expires_in)
