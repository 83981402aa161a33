"""Receiving a candidate's zip through an invite (the seam the upload page and the API's
upload call build on): the intake runs at once, with the challenge's own limits, and what
it refuses is said in plain words so the candidate can fix it and upload again before the
deadline; an accepted upload is kept (bytes in the database) with its sha256 and lateness,
ready to be queued (grader.jobs.interface). A refused upload keeps its verdict and message,
not its bytes. The candidate is told "received" and the sha256, never a score."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import tempfile
from pathlib import Path

from django.utils import timezone

from grader.db.models import Invite, Upload
from grader.errors import ChallengeConfigError, InputRejected


def _shown_name(filename: str) -> str:
    """The name the intake's messages give the zip: the candidate's own file name (its last
    part, plain characters only), so "big.bin is not a zip archive" names what they sent."""
    name = re.sub(r"[^A-Za-z0-9._ -]", "_", Path(filename or "").name).strip(" .")[:100]
    return name or "upload.zip"


def _intake(data: bytes, challenge_id: str,
            filename: str = "upload.zip") -> tuple[str, str, int]:
    """(verdict, message, files): `accepted` or the intake rule that refused it."""
    from grader.challenge import find_challenge
    from grader.intake import open_submission

    try:
        challenge = find_challenge(challenge_id, allow_path=False)
    except ChallengeConfigError as exc:
        raise RuntimeError(f"the opening's challenge cannot be loaded: {exc}") from exc
    folder = Path(tempfile.mkdtemp(prefix="grader-upload-"))
    try:
        shown = _shown_name(filename)
        (folder / "in").mkdir()
        (folder / "in" / shown).write_bytes(data)
        try:
            submission = open_submission(folder / "in" / shown, folder / "work",
                                         challenge.intake)
        except InputRejected as exc:
            return exc.rule, str(exc).replace(str(folder / "in" / shown), shown), 0
        if submission.manifest.challenge != challenge.id:
            return ("challenge-mismatch",
                    f"submission.yaml names challenge '{submission.manifest.challenge}', but "
                    f"this assessment is '{challenge.id}': use the submission.yaml of the "
                    "kit you downloaded", 0)
        return "accepted", "", len(submission.files)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def receive_upload(invite: Invite, filename: str, data: bytes,
                   at: dt.datetime | None = None, using: str = "default") -> Upload:
    """Run the intake on `data` and keep the outcome as an Upload of `invite`."""
    at = at or timezone.now()
    digest = hashlib.sha256(data).hexdigest()
    challenge = invite.opening.challenge
    verdict, message, files = _intake(data, challenge, filename)
    accepted = verdict == "accepted"
    late = invite.minutes_late(at)
    if accepted:
        message = (f"received: {len(data)} bytes, {files} files, sha256 {digest}"
                   + (f"; late by {late} minutes" if late else ""))
    return Upload.objects.using(using).create(
        invite=invite, filename=Path(filename or "").name[:255], data=data if accepted else b"",
        size=len(data), sha256=digest, received_at=at, accepted=accepted,
        verdict=verdict[:60], message=message, late_minutes=late, challenge=challenge)
