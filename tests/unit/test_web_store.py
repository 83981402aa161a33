"""The store on the ORM (grader/store.py over grader/db/), SQLite in a temporary folder: the
report bundle and the files as graded kept as blobs, stores of two files side by side in one
process, concurrent writers, and a store written before the ORM imported once, nothing
lost."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import stat
import threading
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from grader import store as store_module
from grader.db.location import secret_key
from grader.report import Report
from grader.store import OMITTED, Store, default_store
from tests.unit.test_report import sample


def _report(sub_id: str, percent: float = 50.0, candidate: str = "Ada"):  # type: ignore[no-untyped-def]
    report = sample()
    return replace(report, submission=replace(report.submission, id=sub_id,
                                              candidate=candidate),
                   total=replace(report.total, percent=percent))


def _bundle(folder: Path, artifacts: dict[str, bytes]) -> Path:
    for name in ("report.json", "report.md", "report.html"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(f"<{name}>")
    for name, data in artifacts.items():
        (folder / "artifacts").mkdir(exist_ok=True)
        (folder / "artifacts" / name).write_bytes(data)
    return folder


def test_the_report_bundle_and_the_files_are_kept_in_the_database(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "ARTIFACT_CAP", 1000)
    store = Store(tmp_path / "db" / "grader.db")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "main.py").write_text("print('hi')\n")
    out = _bundle(tmp_path / "out", {"run.log": b"log\n", "huge.ipynb": b"x" * 5000})
    store.record(_report("ada-0123456789ab"), out, tmp_path / "sub", ("main.py",))
    files = store.report_files("ada-0123456789ab")
    assert set(files) == {"report.json", "report.md", "report.html", "artifacts/run.log",
                          OMITTED}
    assert store.report_file("ada-0123456789ab", "report.html") == b"<report.html>"
    assert b"artifacts/huge.ipynb\t5000 bytes" in store.report_file("ada-0123456789ab",
                                                                     OMITTED)  # type: ignore[operator]
    assert store.report_file("ada-0123456789ab", "../grader.db") is None
    entry, = store.entries()
    assert entry.has_source and entry.candidate == "Ada" and entry.percent == 50
    written = store.write_source("ada-0123456789ab", tmp_path / "again")
    assert written is not None
    with zipfile.ZipFile(written) as zf:
        assert zf.read("ada-0123456789ab/main.py") == b"print('hi')\n"
    # graded again (a rejected report has no files): the row is replaced, the files stay
    store.record(_report("ada-0123456789ab", 75.0), tmp_path / "nowhere")
    entry, = store.entries()
    assert entry.percent == 75 and entry.has_source
    assert set(store.report_files("ada-0123456789ab")) == {"report.json"}


def test_two_stores_in_one_process_are_separate(tmp_path: Path) -> None:
    a, b = Store(tmp_path / "a" / "grader.db"), Store(tmp_path / "b" / "grader.db")
    assert a.alias != b.alias
    a.record(_report("ada-0123456789ab"), tmp_path / "out")
    assert [e.id for e in a.entries()] == ["ada-0123456789ab"] and b.entries() == []
    assert Store(tmp_path / "a" / "grader.db").alias == a.alias   # the same file, one alias
    a.keep_version("wordfreq", "1", "ab" * 32, {"README.md": "cd" * 32}, b"PK-zip", "t1")
    a.keep_version("wordfreq", "1", "ab" * 32, {"README.md": "cd" * 32}, b"PK-zip", "t1")
    assert a.kept_versions("wordfreq") == [("1", "ab" * 32, "t1", {"README.md": "cd" * 32})]
    assert a.version_snapshot("wordfreq", "ab" * 32) == b"PK-zip"
    assert b.kept_versions("wordfreq") == [] and b.version_snapshot("wordfreq", "ab" * 32) is None


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "db" / "grader.db"
    store = Store(path)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        from django.db import connections

        try:
            for i in range(6):
                store.record(_report(f"c{n}-{i:012d}", percent=float(i)), tmp_path / "none")
                store.keep_version("wordfreq", "1", "ef" * 32, {}, b"snap", "t")
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(store.entries()) == 24 and len(store.kept_versions("wordfreq")) == 1


# -- a store written before the ORM --------------------------------------------------------
_OLD_SCHEMA = """
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


def _old_store(path: Path) -> dict[str, str]:
    """A store as the code before the ORM wrote it (its schema and layout, copied here):
    two submissions (one with its files), two versions (one whose snapshot is lost)."""
    path.parent.mkdir(parents=True)
    db = sqlite3.connect(path)
    db.executescript(_OLD_SCHEMA)
    reports = {}
    for sub_id, percent in (("ada-0123456789ab", 80.0), ("bob-ba9876543210", 40.0)):
        report = _report(sub_id, percent, candidate=sub_id.split("-")[0])
        reports[sub_id] = report.to_json()
        db.execute("INSERT OR REPLACE INTO submissions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                   (sub_id, "wordfreq", sub_id.split("-")[0], report.status, percent, 4.0,
                    5.0, f"2026-01-0{1 + len(reports)}T10:00:00Z", f"/cohort/{sub_id}.zip",
                    f"/reports/{sub_id}", "ab" * 32, report.to_json(),
                    json.dumps({"7": ["main.py", 3]})))
    (path.parent / "sources").mkdir()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("ada-0123456789ab/main.py", "print('ada')\n")
    (path.parent / "sources" / "ada-0123456789ab.zip").write_bytes(buffer.getvalue())
    (path.parent / "versions").mkdir()
    for digest, label in (("11" * 32, "1"), ("22" * 32, "2")):
        db.execute("INSERT OR REPLACE INTO challenge_versions VALUES (?,?,?,?,?)",
                   ("wordfreq", label, digest, f"2025-12-0{label}T00:00:00Z",
                    json.dumps({"README.md": "33" * 32})))
    (path.parent / "versions" / f"wordfreq-{'11' * 16}.zip").write_bytes(b"PK-snapshot-1")
    db.commit()
    db.close()
    return reports


def test_a_store_from_before_the_orm_is_imported_once_nothing_lost(tmp_path: Path) -> None:
    from grader.db.legacy import describe, import_beside

    path = tmp_path / "old" / "grader.db"
    reports = _old_store(path)
    store = Store(path)          # opening it migrates and imports
    entries = {e.id: e for e in store.entries("wordfreq")}
    assert set(entries) == set(reports)
    assert entries["ada-0123456789ab"].percent == 80 and entries["ada-0123456789ab"].has_source
    assert not entries["bob-ba9876543210"].has_source
    assert entries["bob-ba9876543210"].source == "/cohort/bob-ba9876543210.zip"
    for sub_id, text in reports.items():
        assert store.report(sub_id) == Report.from_dict(json.loads(text))
    assert store.source_text("ada-0123456789ab", "main.py") == "print('ada')\n"
    assert store.fingerprints("wordfreq")["ada-0123456789ab"] == {"7": ["main.py", 3]}
    # the version whose snapshot was lost was not usable before either: not imported
    assert [v[0] for v in store.kept_versions("wordfreq")] == ["1"]
    assert store.version_snapshot("wordfreq", "11" * 32) == b"PK-snapshot-1"
    assert "1 version row(s) without their snapshot file" in describe(store.alias)[0]
    # once: the old tables stay as they were, and are not read again
    db = sqlite3.connect(path)
    db.execute("UPDATE submissions SET percent = 0")
    db.commit()
    db.close()
    assert import_beside(store.alias) is None
    assert {e.id: e.percent for e in store.entries()}["ada-0123456789ab"] == 80


def test_the_store_can_be_turned_off_and_the_secret_key_is_made_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADER_STORE", "off")
    assert default_store() is None
    monkeypatch.delenv("GRADER_SECRET_KEY", raising=False)
    key = secret_key(tmp_path)
    assert len(key) >= 32 and secret_key(tmp_path) == key
    assert stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode) == 0o600
    monkeypatch.setenv("GRADER_SECRET_KEY", "k" * 40)
    assert secret_key(tmp_path) == "k" * 40


_WRITER = """
import sys
from pathlib import Path
from dataclasses import replace
from grader.store import Store
from tests.unit.test_report import sample

store = Store(Path(sys.argv[1]))
report = sample()
for i in range(8):
    sub = replace(report.submission, id=f"{sys.argv[2]}-{i:012d}")
    store.record(replace(report, submission=sub), Path(sys.argv[1]).parent / "none")
"""


def test_two_processes_write_one_store_at_the_same_time(tmp_path: Path) -> None:
    """The web service and a `grader run` in a terminal: two processes, one SQLite file
    (migrated by whichever comes first, under the lock; WAL and IMMEDIATE transactions)."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    path = tmp_path / "db" / "grader.db"
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(path), name], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
               for name in ("web", "cli")]
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err.decode()
    ids = {e.id for e in Store(path).entries()}
    assert len(ids) == 16 and {i.split("-")[0] for i in ids} == {"web", "cli"}


def test_the_migrations_describe_the_models(tmp_path: Path) -> None:
    """A model changed without its migration would leave every existing store behind."""
    from io import StringIO

    Store(tmp_path / "db" / "grader.db")
    from django.core.management import call_command

    out = StringIO()
    try:
        call_command("makemigrations", "grader", check=True, dry_run=True, stdout=out)
    except SystemExit:
        pytest.fail("models changed without a migration (django-admin makemigrations "
                    f"grader):\n{out.getvalue()}")
