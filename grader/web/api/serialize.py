"""The API's JSON shapes of the models (openapi.yaml's components describe each): dates as
ISO 8601 UTC (`2026-01-01T10:00:00Z`), people by user name, token hashes never. A candidate
sees their own uploads as `received` or `refused` with the sha256 and lateness, never a
state of grading, a score or a flag."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from grader.db.models import ApiToken, Decision, Invite, ManualScore, Opening, Upload
from grader.web.api.states import UploadState, upload_state

Json = dict[str, Any]


def iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def iso_text(value: str) -> str:
    """A date kept as text (a report's `generated_at`, `2026-01-01T10:00:00+00:00`) in the
    API's form (`2026-01-01T10:00:00Z`); text that is not a date is returned as it is."""
    try:
        parsed = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return value
    if parsed.tzinfo is None:
        return value
    return iso(parsed) or value


def who(user: AbstractBaseUser | None) -> str | None:
    return user.get_username() if user is not None else None


def opening(row: Opening) -> Json:
    return {"id": row.pk, "title": row.title, "challenge": row.challenge,
            "framework": row.framework or None, "level": row.level,
            "window_minutes": row.window_minutes, "profile": row.profile or None,
            "archived": row.archived, "created_by": who(row.created_by),
            "created_at": iso(row.created_at),
            "invites": row.invites.count()}


def minutes_left(row: Invite) -> int | None:
    if row.deadline is None:
        return None
    return max(0, int((row.deadline - timezone.now()).total_seconds() // 60))


def invite(row: Invite) -> Json:
    return {"id": row.pk, "opening": row.opening_id, "name": row.name, "email": row.email,
            "token_hint": row.token_hint, "created_by": who(row.created_by),
            "created_at": iso(row.created_at), "revoked": row.revoked,
            "revoked_at": iso(row.revoked_at), "downloaded_at": iso(row.downloaded_at),
            "deadline": iso(row.deadline)}


def upload(row: Upload, state: UploadState | None = None) -> Json:
    """An upload as a reviewer sees it: intake verdict, lateness, and its grading's state."""
    state = state or upload_state(row)
    return {"id": row.pk, "invite": row.invite_id, "filename": row.filename,
            "size": row.size, "sha256": row.sha256, "received_at": iso(row.received_at),
            "accepted": row.accepted, "verdict": row.verdict, "message": row.message,
            "late_minutes": row.late_minutes, "state": state.state,
            "state_text": state.text, "stage": state.stage or None, "job": state.job,
            "submission": state.submission, "error": state.error or None}


def candidate_upload(row: Upload, current: bool) -> Json:
    """An upload as its candidate sees it: received (with the sha256) or refused (with what
    to fix); `current` marks the last accepted one, the one graded."""
    return {"id": row.pk, "filename": row.filename, "size": row.size, "sha256": row.sha256,
            "received_at": iso(row.received_at),
            "status": "received" if row.accepted else "refused",
            "rule": None if row.accepted else row.verdict, "message": row.message,
            "late_minutes": row.late_minutes, "current": current}


def manual_score(row: ManualScore) -> Json:
    return {"id": row.pk, "submission": row.submission_id, "criterion": row.criterion,
            "points": row.points, "notes": row.notes, "scored_by": who(row.scored_by),
            "scored_at": iso(row.scored_at)}


def decision(row: Decision) -> Json:
    return {"id": row.pk, "invite": row.invite_id, "candidate": row.invite.name,
            "submission": row.submission_id, "outcome": row.outcome, "reason": row.reason,
            "decided_by": who(row.decided_by), "decided_at": iso(row.decided_at)}


def api_token(row: ApiToken) -> Json:
    return {"id": row.pk, "name": row.name, "hint": row.token_hint,
            "created_at": iso(row.created_at), "last_used_at": iso(row.last_used_at),
            "revoked": row.revoked}
