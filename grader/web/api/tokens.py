"""Reviewers' API tokens (`grader tokens create|list|revoke USER`, and a reviewer's own
tokens through the API): 256 random bits, shown once when created, kept only as their sha256
and first characters (grader/db/tokens.py); revoking keeps the row (its last use stays
visible) and the token opens nothing from then on."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from grader.db.models import ApiToken
from grader.db.tokens import new_token

NAME_CHARS = 100


class TokenRefused(ValueError):
    """The token cannot be made or found as asked (the message says why)."""


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    plain: str          # shown once; only its hash is kept


def reviewer(name: str, using: str = "default") -> User:
    """The active reviewer account `name` (TokenRefused when there is none)."""
    user = get_user_model().objects.using(using).filter(username=name).first()
    if user is None:
        raise TokenRefused(f"no reviewer named {name!r} (create one with `grader users add`)")
    if not user.is_active:
        raise TokenRefused(f"reviewer {name!r} is inactive")
    assert isinstance(user, User)
    return user


def create_token(user: User, name: str = "api", using: str = "default") -> CreatedToken:
    name = name.strip()
    if not name or len(name) > NAME_CHARS:
        raise TokenRefused(f"a token's name must be 1 to {NAME_CHARS} characters")
    made = new_token()
    token = ApiToken.objects.using(using).create(user=user, name=name, token_hash=made.hash,
                                                 token_hint=made.hint)
    return CreatedToken(token, made.plain)


def tokens_of(user: User, using: str = "default") -> list[ApiToken]:
    return list(ApiToken.objects.using(using).filter(user=user).order_by("created_at", "id"))


def revoke_tokens(user: User, *, token_id: int | None = None, name: str | None = None,
                  every: bool = False, using: str = "default") -> list[ApiToken]:
    """Revoke the user's live tokens chosen by id, by name, or all of them; the ones revoked
    now (TokenRefused when the choice matches none, or none was made)."""
    if sum((token_id is not None, name is not None, every)) != 1:
        raise TokenRefused("choose the token(s) to revoke: an id, a name, or all")
    live = ApiToken.objects.using(using).filter(user=user, revoked=False)
    if token_id is not None:
        live = live.filter(pk=token_id)
    elif name is not None:
        live = live.filter(name=name)
    chosen = list(live)
    if not chosen:
        raise TokenRefused(f"{user.get_username()} has no live token "
                           + (f"with id {token_id}" if token_id is not None else
                              f"named {name!r}" if name is not None else "to revoke"))
    ApiToken.objects.using(using).filter(pk__in=[t.pk for t in chosen]).update(revoked=True)
    for token in chosen:
        token.revoked = True
    return chosen
