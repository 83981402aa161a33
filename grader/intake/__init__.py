"""Intake: turn a submission (.zip or folder) into a safely unpacked file tree and a manifest.

The submission is hostile. Nothing is extracted with `extractall`: every entry is checked before
a byte is written (no path traversal, no absolute paths, no odd names, no links or special
files, no encrypted entries), the caps on archive size, entry count, file count, total size and
compression ratio are checked on the declared sizes first and the real bytes are counted again
while writing. Clutter (`.git`, virtualenvs, `__pycache__`, `__MACOSX`, `node_modules`, ...) is
skipped unread and listed. A single top-level folder is stripped. `submission.yaml` is read with
`yaml.safe_load` and validated. Every refusal is an InputRejected whose message is one sentence
naming the entry and whose `rule` is one of the ids documented in docs/submission-yaml.md.

The modules, in the order an intake uses them:
    names        entry names: normalised and checked, clutter told apart, shown in messages
    limits       IntakeLimits (the caps) and the checks of a listing against them
    listing      the entries of a zip or a folder, checked before anything is written
    unpack       writing the kept files, counting the real bytes
    manifest     submission.yaml read and validated into a Manifest
    fingerprint  sha256 of the unpacked tree and of the raw input
    submission   open_submission, the entry point, and Submission
    peek         peek_challenge_id: the manifest's challenge, read before the intake
"""

from __future__ import annotations

from grader.intake.fingerprint import rejected_submission_id, source_fingerprint
from grader.intake.limits import DEFAULT_LIMITS, IntakeLimits
from grader.intake.manifest import MANIFEST_MAX_BYTES, Manifest
from grader.intake.names import MANIFEST_FILE
from grader.intake.peek import peek_challenge_id
from grader.intake.submission import Submission, open_submission

__all__ = [
    "DEFAULT_LIMITS",
    "MANIFEST_FILE",
    "MANIFEST_MAX_BYTES",
    "IntakeLimits",
    "Manifest",
    "Submission",
    "open_submission",
    "peek_challenge_id",
    "rejected_submission_id",
    "source_fingerprint",
]
