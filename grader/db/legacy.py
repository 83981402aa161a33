"""Importing a store written before the ORM, once, nothing lost.

That store was a SQLite file with two tables, `submissions` (one row per graded submission:
scores, the report JSON, fingerprints) and `challenge_versions`, and two folders beside it:
`sources/<submission id>.zip` (the files as graded) and `versions/<challenge>-<digest[:32]>.zip`
(the version snapshots). Its rows and files become rows and blobs of the schema here; a
`LegacyImport` row records the import, so it happens once. The old tables and folders are left
as they were (an older grader can still read them; removing them is the owner's choice).

`import_beside` runs whenever a SQLite store is opened: the new tables live in the same file
as the old ones. `import_legacy` imports another file (`grader migrate --import-legacy`, e.g.
into PostgreSQL).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

_SUBMISSION_COLUMNS = ("id", "challenge", "candidate", "status", "percent", "points",
                       "max_points", "graded_at", "source", "report_dir", "sha256",
                       "report_json", "fingerprints")
_VERSION_COLUMNS = ("challenge", "label", "digest", "kept_at", "files")

Rows = Callable[[str], list[tuple[Any, ...]]]


def _has_legacy_tables(rows: Rows) -> bool:
    names = {r[0] for r in rows("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return "submissions" in names


def import_beside(alias: str) -> int | None:
    """Import the legacy tables of the SQLite file `alias` stands for, if it has them and
    they were not imported yet. Returns how many submissions were imported (None: nothing to
    do)."""
    from django.db import connections

    connection = connections[alias]
    if connection.vendor != "sqlite":
        return None

    def rows(sql: str) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return [tuple(r) for r in cursor.fetchall()]

    if not _has_legacy_tables(rows):
        return None
    path = Path(str(connection.settings_dict["NAME"]))
    return _import(alias, path, rows)


def import_legacy(alias: str, legacy_db: Path) -> int | None:
    """Import the legacy store at `legacy_db` into the database `alias` (once). None when the
    file has no legacy tables or was imported already."""
    handle = sqlite3.connect(f"file:{legacy_db}?mode=ro", uri=True, timeout=30)
    try:
        def rows(sql: str) -> list[tuple[Any, ...]]:
            return [tuple(r) for r in handle.execute(sql).fetchall()]

        if not _has_legacy_tables(rows):
            return None
        return _import(alias, legacy_db, rows)
    finally:
        handle.close()


def _columns(rows: Rows, table: str) -> set[str]:
    return {r[1] for r in rows(f"PRAGMA table_info({table})")}


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes() if path.is_file() else None
    except OSError:
        return None


def _import(alias: str, legacy_db: Path, rows: Rows) -> int | None:
    from django.db import transaction

    from grader.db.models import (
        ChallengeVersion,
        LegacyImport,
        Submission,
        SubmissionSource,
    )

    source = os.path.realpath(legacy_db)
    folder = Path(source).parent
    with transaction.atomic(using=alias):
        if LegacyImport.objects.using(alias).filter(source=source).exists():
            return None
        missing = set(_SUBMISSION_COLUMNS) - _columns(rows, "submissions")
        if missing:
            raise ValueError(f"{legacy_db}: table submissions lacks {', '.join(sorted(missing))}"
                             ": not a grader store")
        imported, skipped = 0, 0
        for row in rows(f"SELECT {', '.join(_SUBMISSION_COLUMNS)} FROM submissions"):
            values = dict(zip(_SUBMISSION_COLUMNS, row, strict=True))
            sub_id = str(values.pop("id"))
            existing = Submission.objects.using(alias).filter(id=sub_id).first()
            if existing is not None and existing.graded_at >= str(values["graded_at"] or ""):
                skipped += 1        # graded again since, in this store: the newer one stays
                continue
            fields = {k: (v if v is not None else _DEFAULTS[k]) for k, v in values.items()}
            Submission.objects.using(alias).update_or_create(id=sub_id, defaults=fields)
            data = _read(folder / "sources" / f"{sub_id}.zip")
            if data is not None:
                SubmissionSource.objects.using(alias).update_or_create(
                    submission_id=sub_id, defaults={"data": data, "size": len(data),
                                                    "files": _count_files(data)})
            imported += 1
        versions, without_snapshot = 0, 0
        if "challenge_versions" in {r[0] for r in rows(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}:
            for row in rows(f"SELECT {', '.join(_VERSION_COLUMNS)} FROM challenge_versions"):
                challenge, label, digest, kept_at, files = (str(v or "") for v in row)
                snapshot = _read(folder / "versions" / f"{challenge}-{digest[:32]}.zip")
                if snapshot is None:        # the old store ignored such a row too
                    without_snapshot += 1
                    continue
                ChallengeVersion.objects.using(alias).update_or_create(
                    challenge=challenge, digest=digest,
                    defaults={"label": label, "kept_at": kept_at, "files": files or "{}",
                              "snapshot": snapshot, "size": len(snapshot)})
                versions += 1
        note = (f"{skipped} submission(s) kept as graded since; " if skipped else "") + (
            f"{without_snapshot} version row(s) without their snapshot file"
            if without_snapshot else "")
        LegacyImport.objects.using(alias).create(source=source, submissions=imported,
                                                 versions=versions, note=note.strip("; "))
    return imported


_DEFAULTS: dict[str, Any] = {"challenge": "", "candidate": "", "status": "graded",
                             "percent": 0.0, "points": 0.0, "max_points": 0.0,
                             "graded_at": "", "source": "", "report_dir": "", "sha256": "",
                             "report_json": "{}", "fingerprints": "{}"}


def _count_files(data: bytes) -> int:
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return sum(1 for info in zf.infolist() if not info.is_dir())
    except zipfile.BadZipFile:
        return 0


def describe(alias: str) -> list[str]:
    """One line per legacy import recorded in `alias` (for `grader migrate`)."""
    from grader.db.models import LegacyImport

    return [f"imported {r.submissions} submission(s) and {r.versions} version(s) from "
            f"{r.source} at {r.imported_at:%Y-%m-%d %H:%M}" + (f" ({r.note})" if r.note else "")
            for r in LegacyImport.objects.using(alias).order_by("imported_at")]
