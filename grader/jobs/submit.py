"""`grader run --queue`, the parts below the command line: each path becomes an upload in
the store (a zip's bytes as they are; a folder zipped the same way every time, so the same
folder is the same bytes and its job is found again, graded once), is enqueued, and is
waited for; a graded job's report bundle is written from the store to OUT/<id>/, exactly as
`grader run` writes it.

The worker that grades may be on another host: it reads the bytes from the store, never the
path. A folder's zip holds its regular files and its links as links (the intake refuses
those as it refuses them in a folder); the clutter the intake skips anyway (`.git`,
virtualenvs, `node_modules`, ...) is left out.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from grader.intake.names import IGNORED_DIRS
from grader.jobs.interface import JobQueue
from grader.jobs.patience import patiently
from grader.store import Store

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def folder_zip(folder: Path) -> bytes:
    """A folder as zip bytes, the same bytes for the same files (sorted, fixed times)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in _walk(folder):
            rel = path.relative_to(folder).as_posix()
            mode = os.lstat(path).st_mode
            info = zipfile.ZipInfo(rel, _FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            if stat.S_ISLNK(mode):          # kept as a link: the intake names and refuses it
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                zf.writestr(info, os.readlink(path))
            elif stat.S_ISREG(mode):
                info.external_attr = (stat.S_IFREG | (mode & 0o777)) << 16
                zf.writestr(info, path.read_bytes())
    return buffer.getvalue()


def _walk(folder: Path) -> list[Path]:
    found: list[Path] = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        keep = [d for d in dirs if d not in IGNORED_DIRS
                and not os.path.islink(os.path.join(root, d))]
        found += [Path(root) / d for d in dirs if d not in keep and d not in IGNORED_DIRS]
        dirs[:] = sorted(keep)
        found += [Path(root) / f for f in files]
    return sorted(found)


def submission_bytes(path: Path) -> bytes:
    """The bytes a worker will grade for `path` (a zip, or a folder zipped)."""
    if path.is_dir() and not path.is_symlink():
        return folder_zip(path)
    return path.read_bytes()


def add_upload(store: Store, path: Path, challenge: str = "") -> int:
    """Keep `path`'s bytes in the store as an upload without an invite; its id. The intake
    runs when it is graded (a refused submission gets its `rejected` report, as in
    `grader run`)."""
    from grader.db.models import Upload

    data = submission_bytes(path)
    name = str(path) if len(str(path)) <= 255 else path.name[-255:]
    return Upload.objects.using(store.alias).create(
        filename=name, data=data, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
        accepted=True, verdict="accepted", challenge=challenge,
        message="enqueued by grader run --queue; the intake runs when it is graded").pk


@dataclass(frozen=True)
class Finished:
    """A job that ended: graded (with its submission) or failed (with its error)."""

    job_id: int
    state: str
    submission_id: str | None
    exit_code: int | None
    error: str
    worker: str
    attempts: int


def finished(store: Store, job_ids: Iterable[int]) -> dict[int, Finished]:
    """The jobs among `job_ids` that are graded or failed."""
    from grader.db.models import Job, JobState

    rows = Job.objects.using(store.alias).filter(
        pk__in=list(job_ids), state__in=(JobState.GRADED, JobState.FAILED)).values_list(
        "id", "state", "result_id", "exit_code", "error", "worker", "attempts")
    return {r[0]: Finished(r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows}


def wait_for(store: Store, job_ids: list[int], on_done: Callable[[Finished], None],
             poll: float = 1.0, patience: float = 300.0,
             on_idle: Callable[[float], None] | None = None,
             tick: Callable[[], None] | None = None) -> None:
    """Call `on_done` for each job as it ends, in the order they end, until all have.
    `on_idle(seconds)`: told while nothing has ended for a while (no worker?); `tick()`:
    called every poll (to resend unsent messages). A database restart is waited out."""
    pending = set(job_ids)
    last = time.monotonic()
    while pending:
        ended = patiently(lambda: finished(store, pending), store.alias, patience,
                          "waiting for the jobs")
        for job_id in sorted(ended, key=lambda j: job_ids.index(j)):
            on_done(ended[job_id])
            pending.discard(job_id)
            last = time.monotonic()
        if not pending:
            return
        if on_idle is not None:
            on_idle(time.monotonic() - last)
        if tick is not None:
            tick()
        time.sleep(poll)


def write_bundle(store: Store, sub_id: str, out_dir: Path) -> Path:
    """The report bundle of a stored submission written to OUT/<id>/ (report.json, .md,
    .html, artifacts/...); the folder."""
    folder = out_dir / sub_id
    folder.mkdir(parents=True, exist_ok=True)
    for name in store.report_files(sub_id):
        data = store.report_file(sub_id, name)
        target = (folder / name).resolve()
        if data is None or not target.is_relative_to(folder.resolve()):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return folder


def enqueue_paths(queue: JobQueue, store: Store, paths: list[Path],
                  challenge: str = "") -> list[int]:
    """An upload and a job for each path; the job ids, in the order of `paths` (the same
    bytes twice: the same job, graded once)."""
    return [queue.enqueue_upload(add_upload(store, path, challenge)) for path in paths]
