"""Sign-up and sign-in. Passwords go through passlib; tokens are random and expire."""

import re
import secrets
import time

from passlib.context import CryptContext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from starlette.endpoints import HTTPEndpoint
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from notebook_api.errors import read_object
from notebook_api.models import Account, Session

passwords = CryptContext(schemes=["pbkdf2_sha256"], deprecated="auto")
USERNAME = re.compile(r"[A-Za-z0-9_]{3,32}")


class Register(HTTPEndpoint):
    async def post(self, request: Request) -> JSONResponse:
        data = await read_object(request)
        username, password = data.get("username"), data.get("password")
        if not isinstance(username, str) or not USERNAME.fullmatch(username):
            raise HTTPException(422, "username must be 3-32 letters, digits or underscores")
        if not isinstance(password, str) or not 8 <= len(password) <= 128:
            raise HTTPException(422, "password must be 8-128 characters")
        async with request.app.state.db.session() as session:
            account = Account(username=username, password_hash=passwords.hash(password))
            session.add(account)
            try:
                await session.commit()
            except IntegrityError:
                raise HTTPException(409, "username already taken")
            return JSONResponse({"id": account.id, "username": username}, status_code=201)


class Login(HTTPEndpoint):
    async def post(self, request: Request) -> JSONResponse:
        data = await read_object(request)
        username, password = data.get("username"), data.get("password")
        expires_in = data.get("expires_in", 3600)
        if not isinstance(username, str) or not isinstance(password, str):
            raise HTTPException(422, "username and password are required")
        if type(expires_in) is not int or not 1 <= expires_in <= 86400:
            raise HTTPException(422, "expires_in must be an integer from 1 to 86400")
        async with request.app.state.db.session() as session:
            account = await session.scalar(select(Account).where(Account.username == username))
            if account is None:
                raise HTTPException(404, "no account with that username")
            if not passwords.verify(password, account.password_hash):
                raise HTTPException(401, "incorrect password")
            token = secrets.token_hex(32)
            session.add(Session(token=token, account_id=account.id,
                                expires_at=time.time() + expires_in))
            await session.commit()
        return JSONResponse({"access_token": token, "token_type": "bearer",
                             "expires_in": expires_in})


async def current_account(request: Request) -> int:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(401, "bearer token required", {"WWW-Authenticate": "Bearer"})
    async with request.app.state.db.session() as session:
        found = await session.get(Session, token)
    if found is None or found.expires_at < time.time():
        raise HTTPException(401, "invalid or expired token", {"WWW-Authenticate": "Bearer"})
    return found.account_id
