"""Who is calling: the bearer token of the `Authorization` header, and nothing else (a
session cookie is never looked at, so a logged-in browser cannot be made to call the API:
no CSRF through it). A reviewer's API token (grader/web/api/tokens.py) or an invite's token
(grader/web/invites.py); both are kept as their sha256, looked up by it and compared in
constant time (grader/db/tokens.py). A token that is unknown, revoked, or whose reviewer is
inactive is refused with 401 and counted against the client's address (limits.FAILED_AUTH:
429 past it). A reviewer token's last use is recorded (at most once a minute)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils import timezone

from grader.db.models import ApiToken, Invite
from grader.db.tokens import matches, token_hash
from grader.web.api.errors import ApiError
from grader.web.api.limits import FAILED_AUTH, client_address
from grader.web.invites import invite_for_token

Access = Literal["public", "any", "reviewer", "candidate"]
LAST_USED_EVERY = dt.timedelta(seconds=60)
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="grader"'}


@dataclass(frozen=True)
class Caller:
    """An authenticated caller: a reviewer (with the API token used) or the candidate of
    one invite."""

    kind: Literal["reviewer", "candidate"]
    user: User | None = None
    token: ApiToken | None = None
    invite: Invite | None = None

    @property
    def reviewer(self) -> User:
        assert self.user is not None
        return self.user

    @property
    def candidate_invite(self) -> Invite:
        assert self.invite is not None
        return self.invite


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, headers=_CHALLENGE)


def bearer(request: HttpRequest) -> str:
    header = str(request.META.get("HTTP_AUTHORIZATION", "")).strip()
    if not header:
        raise _unauthorized("this route needs a token: send 'Authorization: Bearer <token>' "
                            "(a reviewer's API token, or the candidate's invite token); "
                            "session cookies are not accepted by the API")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise _unauthorized("the Authorization header must be 'Bearer <token>'")
    return value.strip()


def _reviewer_token(plain: str) -> ApiToken | None:
    if len(plain) > 200:
        return None
    found = ApiToken.objects.select_related("user").filter(token_hash=token_hash(plain)).first()
    if found is None or not matches(plain, found.token_hash):
        return None
    return found


def _record_use(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def authenticate(request: HttpRequest) -> Caller:
    """The caller of a request, or ApiError 401 (429 when this address guessed too often)."""
    address = client_address(request.META)
    FAILED_AUTH.check(address)
    plain = bearer(request)
    token = _reviewer_token(plain)
    if token is not None:
        if token.revoked or not token.user.is_active:
            FAILED_AUTH.count_one(address)
            raise _unauthorized("this API token was revoked (or its reviewer deactivated): "
                                "create another with `grader tokens create USER`")
        _record_use(token)
        return Caller("reviewer", user=token.user, token=token)
    invite = invite_for_token(plain)
    if invite is not None:
        return Caller("candidate", invite=invite)
    FAILED_AUTH.count_one(address)
    raise _unauthorized("the token is unknown, or its invite was revoked")


def allow(caller: Caller, access: Access, invite_id: int | None) -> None:
    """Whether `caller` may use a route of `access`: reviewers' routes refuse a candidate
    (403), candidates' routes refuse a reviewer (403), and a candidate's token opens only its
    own invite's routes (404 on another's: nothing said about it)."""
    if access == "reviewer" and caller.kind != "reviewer":
        raise ApiError(403, "forbidden", "this route is for reviewers (an API token); an "
                       "invite token opens only its own invite's candidate routes")
    if access == "candidate":
        if caller.kind != "candidate":
            raise ApiError(403, "forbidden", "this route is the candidate's: it takes the "
                           "invite's token, not a reviewer's API token")
        if invite_id is None or caller.candidate_invite.pk != invite_id:
            raise ApiError(404, "not-found", "no such invite")
