"""The local store: every graded submission, kept in an embedded SQLite database.

Default path `${XDG_DATA_HOME:-~/.local/share}/grader/grader.db`; `GRADER_STORE` sets another
file, `GRADER_STORE=off` turns the store off. Beside the database, `sources/<id>.zip` keeps the
submission's files as graded, so `grader regrade CHALLENGE` can grade them again after the
challenge changed, and the code fingerprints feed similarity checks against earlier cohorts.
`versions/<challenge>-<digest>.zip` keeps each challenge version graded or handed out as a
kit (grader/version_store.py), so a submission made on an older kit is graded against it.
Nothing leaves the machine. Every write is one short transaction (safe with `--jobs`).
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.report import Report

_SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id TEXT PRIMARY KEY, challenge TEXT, candidate TEXT, status TEXT, percent REAL,
    points REAL, max_points REAL, graded_at TEXT, source TEXT, report_dir TEXT,
    sha256 TEXT, report_json TEXT, fingerprints TEXT
);
CREATE INDEX IF NOT EXISTS submissions_challenge ON submissions (challenge);
CREATE TABLE IF NOT EXISTS challenge_versions (
    challenge TEXT, label TEXT, digest TEXT, kept_at TEXT, files TEXT,
    PRIMARY KEY (challenge, digest)
);
"""


def default_store_path() -> Path | None:
    value = os.environ.get("GRADER_STORE", "").strip()
    if value.lower() in ("off", "none", "0"):
        return None
    if value:
        return Path(value)
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "grader" / "grader.db"


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
    source_zip: Path | None


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.sources = path.parent / "sources"
        self.versions = path.parent / "versions"
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30)
        try:
            with db:
                yield db
        finally:
            db.close()

    def record(self, report: Report, report_dir: Path, root: Path | None = None,
               files: tuple[str, ...] = (), fingerprints: dict[str, Any] | None = None) -> None:
        """Keep a graded (or rejected) submission; its files when `root` is given."""
        sub_id = report.submission.id
        if root is not None and files:
            self.sources.mkdir(parents=True, exist_ok=True)
            tmp = self.sources / f".{sub_id}.zip.tmp"
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
                for rel in files:
                    zf.write(root / rel, f"{sub_id}/{rel}")
            os.replace(tmp, self.sources / f"{sub_id}.zip")
        with self._db() as db:
            db.execute(
                "INSERT OR REPLACE INTO submissions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (sub_id, report.challenge.id if report.challenge else "",
                 report.submission.candidate or "", report.status,
                 float(report.total.percent), float(report.total.points),
                 float(report.total.max_points), report.generated_at,
                 report.submission.source, str(report_dir),
                 report.submission.sha256, report.to_json(),
                 json.dumps(fingerprints or {})))

    def _entry(self, row: tuple[Any, ...]) -> Entry:
        source_zip = self.sources / f"{row[0]}.zip"
        return Entry(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7],
                     source_zip if source_zip.is_file() else None)

    def entries(self, challenge: str | None = None) -> list[Entry]:
        query = ("SELECT id, challenge, candidate, status, percent, graded_at, source, "
                 "report_dir FROM submissions")
        args: tuple[str, ...] = ()
        if challenge:
            query += " WHERE challenge = ?"
            args = (challenge,)
        with self._db() as db:
            rows = db.execute(query + " ORDER BY graded_at, id", args).fetchall()
        return [self._entry(r) for r in rows]

    def report(self, sub_id: str) -> Report | None:
        with self._db() as db:
            row = db.execute("SELECT report_json FROM submissions WHERE id = ?",
                             (sub_id,)).fetchone()
            if row is None:  # a unique prefix is enough
                rows = db.execute("SELECT report_json FROM submissions WHERE id LIKE ?",
                                  (sub_id.replace("%", "") + "%",)).fetchall()
                row = rows[0] if len(rows) == 1 else None
        return Report.from_dict(json.loads(row[0])) if row else None

    def fingerprints(self, challenge: str) -> dict[str, dict[str, Any]]:
        """submission id -> its stored fingerprints, for one challenge."""
        with self._db() as db:
            rows = db.execute("SELECT id, fingerprints FROM submissions WHERE challenge = ?",
                              (challenge,)).fetchall()
        return {r[0]: json.loads(r[1] or "{}") for r in rows}

    def source_text(self, sub_id: str, rel: str, cap: int = 1024 * 1024) -> str | None:
        """A file of a stored submission (as graded), or None."""
        path = self.sources / f"{sub_id}.zip"
        if not path.is_file():
            return None
        try:
            with zipfile.ZipFile(path) as zf:
                info = zf.getinfo(f"{sub_id}/{rel}")
                if info.file_size > cap:
                    return None
                return zf.read(info).decode("utf-8", "replace")
        except (KeyError, OSError, zipfile.BadZipFile):
            return None

    # -- challenge versions (grader/version_store.py writes and reads the snapshots) --------
    def version_snapshot(self, challenge: str, digest: str) -> Path:
        """Where the snapshot of one challenge version lives (whether or not it exists)."""
        return self.versions / f"{challenge}-{digest[:32]}.zip"

    def keep_version(self, challenge: str, label: str, digest: str, files: dict[str, str],
                     snapshot: bytes, kept_at: str) -> None:
        """Record a version and write its snapshot (atomically; idempotent)."""
        self.versions.mkdir(parents=True, exist_ok=True)
        target = self.version_snapshot(challenge, digest)
        handle, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=self.versions)
        with os.fdopen(handle, "wb") as out:  # a name of its own: two gradings may keep it
            out.write(snapshot)
        os.replace(tmp, target)
        with self._db() as db:
            db.execute("INSERT OR REPLACE INTO challenge_versions VALUES (?,?,?,?,?)",
                       (challenge, label, digest, kept_at, json.dumps(files)))

    def kept_versions(self, challenge: str) -> list[tuple[str, str, str, dict[str, str]]]:
        """(label, digest, kept_at, files) of every kept version whose snapshot exists,
        oldest first."""
        with self._db() as db:
            rows = db.execute("SELECT label, digest, kept_at, files FROM challenge_versions "
                              "WHERE challenge = ? ORDER BY kept_at, label",
                              (challenge,)).fetchall()
        return [(r[0], r[1], r[2], json.loads(r[3] or "{}")) for r in rows
                if self.version_snapshot(challenge, r[1]).is_file()]
