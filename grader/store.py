"""The store: every graded submission, kept in a database through Django's ORM (grader/db/).

SQLite by default, at `${XDG_DATA_HOME:-~/.local/share}/grader/grader.db` (`GRADER_STORE` sets
another file, `GRADER_STORE=off` turns the command line's store off); a database server when
`GRADER_DATABASE_URL` names one (PostgreSQL). The command line and the web service
(`grader serve`) use the same schema, so both see the same submissions. Kept per submission:
the report and its scores, the files as graded (a zip, for `grader regrade` and similarity
excerpts), the code fingerprints (similarity with earlier cohorts) and the report bundle
(report.json/.md/.html and artifacts within caps); per challenge version, its snapshot
(grader/version_store.py). Every blob lives in the database: a worker on another host reads
and writes them without a shared file system. The schema is migrated, and a store written
before the ORM imported, when a Store opens (grader/db/connection.py). Writes are short
transactions: safe with `--jobs`, the service's workers and another process.
"""

from __future__ import annotations

import io
import json
import logging
import sqlite3
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.db.location import database_url, default_store_path, store_is_off
from grader.report import Report

__all__ = ["ARTIFACT_CAP", "BUNDLE_CAP", "Entry", "Store", "default_store",
           "default_store_path", "store_errors", "usable_default_store"]
log = logging.getLogger(__name__)

#: an artifact over this size is not kept in the store's report bundle (its name is listed in
#: `artifacts-omitted.txt` instead); nor are artifacts once the bundle holds BUNDLE_CAP bytes
ARTIFACT_CAP = 8 * 1024 * 1024
BUNDLE_CAP = 32 * 1024 * 1024
REPORT_FILES = ("report.json", "report.md", "report.html")
OMITTED = "artifacts-omitted.txt"


@dataclass(frozen=True)
class Entry:
    id: str
    challenge: str
    candidate: str
    status: str
    percent: float
    graded_at: str
    source: str
    report_dir: str
    has_source: bool        # the files as graded are kept (grader regrade can grade them)


def default_store() -> Store | None:
    """The store the environment names (GRADER_DATABASE_URL, else the GRADER_STORE file);
    None when GRADER_STORE=off."""
    if store_is_off():
        return None
    url = database_url()
    if url:
        return Store(url=url)
    path = default_store_path()
    return Store(path) if path is not None else None


def store_errors() -> tuple[type[BaseException], ...]:
    """What a store that cannot be used raises: the file system, SQLite, the ORM, Django's
    configuration."""
    from django.core.exceptions import ImproperlyConfigured
    from django.db import DatabaseError

    return (OSError, sqlite3.Error, DatabaseError, ImproperlyConfigured)


def usable_default_store() -> Store | None:
    """default_store(), or None with a warning when it cannot be opened: for grading, the
    store is a convenience (results are still written to the report folder)."""
    try:
        return default_store()
    except store_errors() as exc:
        log.warning("grader: the store is not usable (%s): results are not kept", exc)
        return None


def bundle_files(report_dir: Path) -> dict[str, bytes]:
    """The report bundle in `report_dir`: the three reports, then artifacts within the caps
    (smallest first), and the list of those left out."""
    files: dict[str, bytes] = {}
    for name in REPORT_FILES:
        if (report_dir / name).is_file():
            files[name] = (report_dir / name).read_bytes()
    artifacts = report_dir / "artifacts"
    found = sorted((p for p in artifacts.rglob("*") if p.is_file() and not p.is_symlink()),
                   key=lambda p: (p.stat().st_size, p.name)) if artifacts.is_dir() else []
    total, omitted = sum(len(v) for v in files.values()), []
    for path in found:
        size = path.stat().st_size
        rel = path.relative_to(report_dir).as_posix()
        if size > ARTIFACT_CAP or total + size > BUNDLE_CAP:
            omitted.append(f"{rel}\t{size} bytes")
            continue
        files[rel] = path.read_bytes()
        total += size
    if omitted:
        files[OMITTED] = ("artifacts not kept in the store (over "
                          f"{ARTIFACT_CAP // 2**20} MiB each or {BUNDLE_CAP // 2**20} MiB in all)"
                          ":\n" + "\n".join(omitted) + "\n").encode()
    return files


def _source_zip(sub_id: str, root: Path, files: tuple[str, ...]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel in files:
            zf.write(root / rel, f"{sub_id}/{rel}")
    return buffer.getvalue()


class Store:
    """The store on one database: a SQLite file (`path`) or a server (`url`)."""

    def __init__(self, path: Path | None = None, *, url: str | None = None,
                 alias: str | None = None) -> None:
        """One of: a SQLite file, a database URL, or the alias of a database Django already
        knows (the web service's `default`). The database is migrated on first use."""
        from grader.db.connection import migrate, open_database, sqlite_config, url_config

        if sum(x is not None for x in (path, url, alias)) != 1:
            raise ValueError("a Store needs one of a path, a url or an alias")
        self.path = path
        self.url = url
        if alias is not None:
            migrate(alias)
            self.alias = alias
        elif path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.alias = open_database(sqlite_config(path))
        else:
            self.alias = open_database(url_config(str(url)))

    def __repr__(self) -> str:
        return f"Store({self.describe()})"

    def describe(self) -> str:
        """Where the store is, without a password."""
        from django.db import connections

        config = connections[self.alias].settings_dict
        if config.get("ENGINE", "").endswith("sqlite3"):
            return f"SQLite {config.get('NAME')}"
        return (f"{connections[self.alias].vendor} {config.get('NAME')} on "
                f"{config.get('HOST') or 'localhost'}:{config.get('PORT') or 'default port'}")

    # -- submissions ---------------------------------------------------------------------------
    def record(self, report: Report, report_dir: Path, root: Path | None = None,
               files: tuple[str, ...] = (), fingerprints: dict[str, Any] | None = None) -> None:
        """Keep a graded (or rejected) submission: its report and scores, the report bundle
        found in `report_dir`, and its files when `root` is given."""
        from django.db import transaction

        from grader.db.models import ReportFile, Submission, SubmissionSource

        sub_id = report.submission.id
        source = _source_zip(sub_id, root, files) if root is not None and files else None
        bundle = bundle_files(report_dir) if report_dir.is_dir() else {}
        bundle.setdefault("report.json", report.to_json().encode())
        fields = {
            "challenge": report.challenge.id if report.challenge else "",
            "candidate": report.submission.candidate or "", "status": report.status,
            "percent": float(report.total.percent), "points": float(report.total.points),
            "max_points": float(report.total.max_points), "graded_at": report.generated_at,
            "source": report.submission.source, "report_dir": str(report_dir),
            "sha256": report.submission.sha256, "report_json": report.to_json(),
            "fingerprints": json.dumps(fingerprints or {})}
        with transaction.atomic(using=self.alias):
            row, _ = Submission.objects.using(self.alias).update_or_create(id=sub_id,
                                                                           defaults=fields)
            if source is not None:
                SubmissionSource.objects.using(self.alias).update_or_create(
                    submission=row, defaults={"data": source, "size": len(source),
                                              "files": len(files)})
            ReportFile.objects.using(self.alias).filter(submission=row).delete()
            ReportFile.objects.using(self.alias).bulk_create(
                [ReportFile(submission=row, name=name, data=data, size=len(data))
                 for name, data in bundle.items()])

    def entries(self, challenge: str | None = None) -> list[Entry]:
        from grader.db.models import Submission

        query = Submission.objects.using(self.alias).order_by("graded_at", "id")
        if challenge:
            query = query.filter(challenge=challenge)
        rows = query.values_list("id", "challenge", "candidate", "status", "percent",
                                 "graded_at", "source", "report_dir", "source_blob")
        return [Entry(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8] is not None)
                for r in rows]

    def _resolve(self, sub_id: str) -> str | None:
        """The id itself, or the one id it is a unique prefix of."""
        from grader.db.models import Submission

        objects = Submission.objects.using(self.alias)
        if objects.filter(id=sub_id).exists():
            return sub_id
        found = list(objects.filter(id__startswith=sub_id).values_list("id", flat=True)[:2])
        return found[0] if len(found) == 1 and sub_id else None

    def report(self, sub_id: str) -> Report | None:
        """A stored report by id, or by a unique prefix of one."""
        from grader.db.models import Submission

        resolved = self._resolve(sub_id)
        if resolved is None:
            return None
        text = Submission.objects.using(self.alias).values_list(
            "report_json", flat=True).get(id=resolved)
        return Report.from_dict(json.loads(text))

    def fingerprints(self, challenge: str) -> dict[str, dict[str, Any]]:
        """submission id -> its stored fingerprints, for one challenge."""
        from grader.db.models import Submission

        rows = Submission.objects.using(self.alias).filter(challenge=challenge).values_list(
            "id", "fingerprints")
        return {r[0]: json.loads(r[1] or "{}") for r in rows}

    def source_zip(self, sub_id: str) -> bytes | None:
        """The zip of a stored submission's files as graded (entries `<id>/<path>`), or None."""
        from grader.db.models import SubmissionSource

        data = SubmissionSource.objects.using(self.alias).filter(
            submission_id=sub_id).values_list("data", flat=True).first()
        return bytes(data) if data is not None else None

    def write_source(self, sub_id: str, folder: Path) -> Path | None:
        """Write a stored submission's zip into `folder` (for grading it again); its path."""
        data = self.source_zip(sub_id)
        if data is None:
            return None
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{sub_id}.zip"
        path.write_bytes(data)
        return path

    def source_text(self, sub_id: str, rel: str, cap: int = 1024 * 1024) -> str | None:
        """A file of a stored submission (as graded), or None."""
        data = self.source_zip(sub_id)
        if data is None:
            return None
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                info = zf.getinfo(f"{sub_id}/{rel}")
                if info.file_size > cap:
                    return None
                return zf.read(info).decode("utf-8", "replace")
        except (KeyError, OSError, zipfile.BadZipFile):
            return None

    def report_file(self, sub_id: str, name: str) -> bytes | None:
        """One file of a stored submission's report bundle (`report.html`,
        `artifacts/<name>`), or None. Looked up by exact name: nothing outside the bundle."""
        from grader.db.models import ReportFile

        data = ReportFile.objects.using(self.alias).filter(
            submission_id=sub_id, name=name).values_list("data", flat=True).first()
        return bytes(data) if data is not None else None

    def report_files(self, sub_id: str) -> dict[str, int]:
        """name -> size of the files in a stored submission's report bundle."""
        from grader.db.models import ReportFile

        return dict(ReportFile.objects.using(self.alias).filter(submission_id=sub_id)
                    .order_by("name").values_list("name", "size"))

    # -- challenge versions (grader/version_store.py writes and reads the snapshots) --------
    def version_snapshot(self, challenge: str, digest: str) -> bytes | None:
        """The snapshot (a zip) of one kept challenge version, or None."""
        from grader.db.models import ChallengeVersion

        data = ChallengeVersion.objects.using(self.alias).filter(
            challenge=challenge, digest=digest).values_list("snapshot", flat=True).first()
        return bytes(data) if data is not None else None

    def keep_version(self, challenge: str, label: str, digest: str, files: dict[str, str],
                     snapshot: bytes, kept_at: str) -> None:
        """Record a version with its snapshot (idempotent: the same digest is one row)."""
        from django.db import IntegrityError, transaction

        from grader.db.models import ChallengeVersion

        values = {"label": label, "kept_at": kept_at, "files": json.dumps(files),
                  "snapshot": snapshot, "size": len(snapshot)}
        try:
            with transaction.atomic(using=self.alias):
                ChallengeVersion.objects.using(self.alias).update_or_create(
                    challenge=challenge, digest=digest, defaults=values)
        except IntegrityError:   # another process kept the same version at the same moment
            pass

    def kept_versions(self, challenge: str) -> list[tuple[str, str, str, dict[str, str]]]:
        """(label, digest, kept_at, files) of every kept version, oldest first."""
        from grader.db.models import ChallengeVersion

        rows = ChallengeVersion.objects.using(self.alias).filter(challenge=challenge).order_by(
            "kept_at", "label").values_list("label", "digest", "kept_at", "files")
        return [(r[0], r[1], r[2], json.loads(r[3] or "{}")) for r in rows]
