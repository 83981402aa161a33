"""Invites by token, and the kit a candidate downloads: the seam the candidate's pages and
the HTTP API build on. A token is looked up by its sha256 (grader/db/tokens.py); an unknown
or revoked token finds nothing (the page answers 404, saying nothing about which)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.utils import timezone

from grader.db.models import Invite, Opening
from grader.db.tokens import matches, new_token, token_hash


@dataclass(frozen=True)
class CreatedInvite:
    invite: Invite
    token: str          # shown once, in the link; only its hash is kept


def create_invite(opening: Opening, name: str, email: str = "",
                  by: AbstractBaseUser | AnonymousUser | None = None,
                  using: str = "default") -> CreatedInvite:
    token = new_token()
    invite = Invite.objects.using(using).create(
        opening=opening, name=name, email=email, token_hash=token.hash,
        token_hint=token.hint,
        created_by=by if isinstance(by, User) and by.is_authenticated else None)
    return CreatedInvite(invite, token.plain)


def invite_for_token(token: str, using: str = "default") -> Invite | None:
    """The live (not revoked) invite a token opens, or None."""
    if not token or len(token) > 200:
        return None
    invite = Invite.objects.using(using).select_related("opening").filter(
        token_hash=token_hash(token)).first()
    if invite is None or not matches(token, invite.token_hash) or invite.revoked:
        return None
    return invite


def revoke(invite: Invite) -> None:
    invite.revoked, invite.revoked_at = True, timezone.now()
    invite.save(update_fields=["revoked", "revoked_at"])


def kit_for(invite: Invite) -> tuple[bytes, str]:
    """The starter kit of the invite's opening (its pinned framework), as `grader kit`
    builds it; its version is kept in the store so the submission is graded against it.
    Starts the invite's clock (once)."""
    from grader.challenge import find_challenge
    from grader.kit import build_kit
    from grader.report.model import now
    from grader.store import default_store
    from grader.version_store import keep
    from grader.versions import current_version

    opening = invite.opening
    challenge = find_challenge(opening.challenge, allow_path=False)
    variant = opening.framework or None
    name = f"{challenge.id}-{variant}-kit.zip" if variant else f"{challenge.id}-kit.zip"
    with tempfile.TemporaryDirectory(prefix="grader-kit-") as tmp:
        path, _ = build_kit(challenge, variant, Path(tmp) / name)
        data = path.read_bytes()
    keep(default_store(), challenge, current_version(challenge), now())
    if invite.start_clock():
        invite.save(update_fields=["downloaded_at", "deadline"])
    return data, name
