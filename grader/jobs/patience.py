"""Riding out a database restart: a worker's writes (the job's state, the report bundle) wait
for the database to come back instead of losing the grading.

`patiently(fn, alias, seconds)` calls `fn`; when the database cannot be reached (Django's
OperationalError or InterfaceError: the server restarting, the connection cut, SQLite busy
past its own timeout), the broken connection of this thread is closed and `fn` is called
again after a pause (0.5 s, doubling to 5 s), until `seconds` have passed; then the last
error is raised. Nothing else is retried: an IntegrityError or a bug raises at once. `fn`
must be safe to call again, as every transition of grader/jobs/queue.py is (a conditional
UPDATE, or a transaction that either happened whole or not at all).

`PatientStore` is the Store with the same patience on the calls the pipeline makes while it
grades (reading and keeping challenge versions, recording the report and its bundle).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from grader.report import Report
from grader.store import Store

log = logging.getLogger("grader.jobs")
T = TypeVar("T")


def unreachable_errors() -> tuple[type[BaseException], ...]:
    """What a database that went away raises through Django."""
    from django.db import InterfaceError, OperationalError

    return (OperationalError, InterfaceError)


def forget_connection(alias: str) -> None:
    """Close this thread's connection to `alias` (a broken one is opened anew on next use)."""
    from django.db import connections

    with contextlib.suppress(Exception):    # closing a connection the server already cut
        connections[alias].close()


def patiently(fn: Callable[[], T], alias: str, seconds: float, what: str = "") -> T:
    """`fn()`, called again while the database is unreachable, for up to `seconds`."""
    deadline = time.monotonic() + seconds
    pause = 0.5
    told = False
    while True:
        try:
            result = fn()
        except unreachable_errors() as exc:
            forget_connection(alias)
            if time.monotonic() + pause > deadline:
                raise
            if not told:
                log.warning("grader: the database is not reachable%s (%s): waiting up to "
                            "%.0f s for it to come back", f" ({what})" if what else "",
                            str(exc).strip().splitlines()[0] if str(exc).strip() else
                            type(exc).__name__, seconds)
                told = True
            time.sleep(pause)
            pause = min(pause * 2, 5.0)
            continue
        if told:
            log.warning("grader: the database answers again%s", f" ({what})" if what else "")
        return result


class PatientStore(Store):
    """The Store on an existing alias, whose calls made while grading wait for the database."""

    def __init__(self, alias: str, patience: float) -> None:
        super().__init__(alias=alias)
        self.patience = patience

    def _wait(self, fn: Callable[[], T], what: str) -> T:
        return patiently(fn, self.alias, self.patience, what)

    def record(self, report: Report, report_dir: Path, root: Path | None = None,
               files: tuple[str, ...] = (), fingerprints: dict[str, Any] | None = None) -> None:
        self._wait(lambda: Store.record(self, report, report_dir, root, files, fingerprints),
                   f"recording {report.submission.id}")

    def version_snapshot(self, challenge: str, digest: str) -> bytes | None:
        return self._wait(lambda: Store.version_snapshot(self, challenge, digest),
                          "reading a challenge version")

    def keep_version(self, challenge: str, label: str, digest: str, files: dict[str, str],
                     snapshot: bytes, kept_at: str) -> None:
        self._wait(lambda: Store.keep_version(self, challenge, label, digest, files, snapshot,
                                              kept_at), "keeping a challenge version")

    def kept_versions(self, challenge: str) -> list[tuple[str, str, str, dict[str, str]]]:
        return self._wait(lambda: Store.kept_versions(self, challenge),
                          "reading challenge versions")

    def fingerprints(self, challenge: str) -> dict[str, dict[str, Any]]:
        return self._wait(lambda: Store.fingerprints(self, challenge), "reading fingerprints")

    def source_zip(self, sub_id: str) -> bytes | None:
        return self._wait(lambda: Store.source_zip(self, sub_id), "reading kept files")
