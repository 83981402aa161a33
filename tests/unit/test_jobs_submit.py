"""`grader run --queue` below the command line (grader/jobs/submit.py), on a real SQLite store:
a folder becomes the same zip bytes every time (so enqueued twice it is one job, graded
once), with the clutter the intake skips left out and a link kept as a link (for the intake
to refuse, as it refuses it in a folder); the waiting loop reports each job as it ends; a
report bundle is written back from the store, and a stored name that would land outside
OUT/<id>/ is not written."""

from __future__ import annotations

import io
import os
import stat
import zipfile
from pathlib import Path

import pytest

from grader.store import Store


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "db" / "grader.db")


def _folder(root: Path) -> Path:
    folder = root / "ada"
    (folder / "pkg").mkdir(parents=True)
    (folder / "pkg" / "mod.py").write_text("X = 1\n")
    (folder / "submission.yaml").write_text("challenge: wordfreq\ncandidate: Ada\n")
    (folder / "run.sh").write_text("#!/bin/sh\n")
    (folder / "run.sh").chmod(0o755)
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (folder / "node_modules" / "x").mkdir(parents=True)
    (folder / "node_modules" / "x" / "index.js").write_text("")
    os.symlink("/etc/passwd", folder / "secrets")
    return folder


def test_a_folder_is_the_same_bytes_every_time(tmp_path: Path) -> None:
    from grader.jobs.submit import folder_zip, submission_bytes

    folder = _folder(tmp_path)
    first = folder_zip(folder)
    os.utime(folder / "pkg" / "mod.py", (1, 1))              # times do not matter
    assert folder_zip(folder) == first == submission_bytes(folder)
    with zipfile.ZipFile(io.BytesIO(first)) as zf:
        infos = {i.filename: i for i in zf.infolist()}
        assert sorted(infos) == ["pkg/mod.py", "run.sh", "secrets", "submission.yaml"]
        assert stat.S_ISLNK(infos["secrets"].external_attr >> 16)
        assert zf.read("secrets") == b"/etc/passwd"             # the link, not the file
        assert (infos["run.sh"].external_attr >> 16) & 0o777 == 0o755
    (folder / "pkg" / "mod.py").write_text("X = 2\n")
    assert folder_zip(folder) != first
    archive = tmp_path / "ada.zip"
    archive.write_bytes(b"PK any bytes")
    assert submission_bytes(archive) == b"PK any bytes"        # a zip as it is


def test_the_same_folder_enqueued_twice_is_one_job(store: Store) -> None:
    from grader.db.models import Job, Upload
    from grader.jobs.interface import EmbeddedQueue
    from grader.jobs.submit import enqueue_paths

    root = Path(store.path or ".").parent
    folder = _folder(root)
    other = root / "bob"
    other.mkdir()
    (other / "submission.yaml").write_text("challenge: wordfreq\ncandidate: Bob\n")
    ids = enqueue_paths(EmbeddedQueue(store), store, [folder, other, folder], "wordfreq")
    assert ids[0] == ids[2] != ids[1]
    assert Job.objects.using(store.alias).count() == 2
    uploads = Upload.objects.using(store.alias).order_by("pk")
    assert [u.invite_id for u in uploads] == [None, None, None]
    assert uploads[0].filename == str(folder) and uploads[0].challenge == "wordfreq"
    assert uploads[0].sha256 == uploads[2].sha256 != uploads[1].sha256


def test_waiting_reports_each_job_as_it_ends(store: Store) -> None:
    from grader.db.models import Job
    from grader.jobs.interface import EmbeddedQueue
    from grader.jobs.submit import Finished, enqueue_paths, wait_for

    root = Path(store.path or ".").parent

    folders = []
    for name in ("a", "b"):
        (root / name).mkdir()
        (root / name / "x.py").write_text(name)
        folders.append(root / name)
    ids = enqueue_paths(EmbeddedQueue(store), store, folders)
    ended: list[Finished] = []
    ticks: list[float] = []
    idle: list[float] = []

    def tick() -> None:                 # a worker elsewhere finishes one job per poll
        ticks.append(1)
        left = Job.objects.using(store.alias).filter(state="queued").order_by("-pk").first()
        if left is not None:
            Job.objects.using(store.alias).filter(pk=left.pk).update(
                state="failed", error="boom\ntraceback", worker="w9", attempts=1)

    wait_for(store, ids, ended.append, poll=0.01, on_idle=idle.append, tick=tick)
    assert [e.job_id for e in ended] == [ids[1], ids[0]]       # in the order they ended
    assert all(e.state == "failed" and e.error.startswith("boom") for e in ended)
    assert len(ticks) == 2 and len(idle) == 2


def test_a_report_bundle_comes_back_from_the_store(store: Store, tmp_path: Path) -> None:
    from grader.db.models import ReportFile, Submission
    from grader.jobs.submit import write_bundle

    Submission.objects.using(store.alias).create(id="ada-1", status="graded", graded_at="t",
                                                 report_json="{}")
    for name, data in [("report.json", b"{}"), ("report.md", b"# r"),
                       ("artifacts/plot.png", b"png"), ("../escape.txt", b"no")]:
        ReportFile.objects.using(store.alias).create(submission_id="ada-1", name=name,
                                                     data=data, size=len(data))
    folder = write_bundle(store, "ada-1", tmp_path / "out")
    assert folder == tmp_path / "out" / "ada-1"
    assert (folder / "report.md").read_bytes() == b"# r"
    assert (folder / "artifacts" / "plot.png").read_bytes() == b"png"
    assert not (tmp_path / "out" / "escape.txt").exists()
