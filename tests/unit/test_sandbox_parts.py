"""Sandbox parts that need no engine: output caps, tar in/out, content hashes, how a run
ended."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from grader.sandbox.archive import ArchiveRejected, build_tar, read_single_file
from grader.sandbox.capture import CapturedOutput, OutputCap
from grader.sandbox.engine import BuildSpec, RunResult
from grader.sandbox.images import content_hash
from grader.sandbox.limits import Limits


def test_output_cap_keeps_head_and_tail_and_counts_everything() -> None:
    cap = OutputCap(100)
    for i in range(1000):
        cap.feed(f"{i:04d}\n".encode())
    out = cap.result()
    assert out.total_bytes == 5000
    assert out.truncated
    assert len(out.head) + len(out.tail) == 100
    assert out.text().startswith("0000\n")
    assert out.text().endswith("0999\n")
    assert "4,900 of 5,000 bytes cut" in out.text()


def test_small_output_is_not_truncated() -> None:
    cap = OutputCap(100)
    cap.feed(b"hello\n")
    assert not cap.result().truncated
    assert cap.result().text() == "hello\n"


def _tar(*members: tuple[tarfile.TarInfo, bytes | None]) -> list[bytes]:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    raw = buf.getvalue()
    return [raw[i:i + 1000] for i in range(0, len(raw), 1000)]


def _file(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def test_read_single_file_accepts_one_regular_file() -> None:
    assert read_single_file(_tar(_file("out.json", b"{}")), "out.json", 10) == b"{}"


def test_read_single_file_refuses_links_oversize_and_extras() -> None:
    link = tarfile.TarInfo("out.json")
    link.type = tarfile.SYMTYPE
    link.linkname = "/etc/passwd"
    with pytest.raises(ArchiveRejected, match="link"):
        read_single_file(_tar((link, None)), "out.json", 10)
    with pytest.raises(ArchiveRejected, match="cap"):
        read_single_file(_tar(_file("out.json", b"x" * 100)), "out.json", 10)
    with pytest.raises(ArchiveRejected, match="more"):
        read_single_file(_tar(_file("out.json", b"1"), _file("other", b"2")), "out.json", 10)
    with pytest.raises(ArchiveRejected):
        read_single_file([b"not a tar at all" * 100], "out.json", 10)


def test_read_single_file_stops_reading_a_huge_stream() -> None:
    consumed = []

    def endless():  # type: ignore[no-untyped-def]
        while True:
            consumed.append(1)
            yield b"\0" * 65536

    with pytest.raises(ArchiveRejected):
        read_single_file(endless(), "out.json", 1000)
    assert len(consumed) < 10


def test_build_tar_owns_files_by_the_sandbox_uid(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("x = 1\n")
    data = build_tar({"input.txt": b"hi", "code": tmp_path})
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = {m.name: m for m in tar.getmembers()}
    assert {"input.txt", "code", "code/pkg", "code/pkg/a.py"} <= set(members)
    assert all(m.uid == 1000 and m.gid == 1000 for m in members.values())
    with pytest.raises(ValueError):
        build_tar({"../escape": b"x"})


def test_content_hash_changes_with_any_input(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n")
    (tmp_path / "req.txt").write_text("pytest\n")
    spec = BuildSpec(name="x", dockerfile=tmp_path / "Dockerfile", context=tmp_path,
                     build_args={"BASE_IMAGE": "sha256:1"})
    first = content_hash(spec)
    assert content_hash(spec) == first
    (tmp_path / "req.txt").write_text("pytest==8\n")
    assert content_hash(spec) != first
    changed_arg = BuildSpec(name="x", dockerfile=tmp_path / "Dockerfile", context=tmp_path,
                            build_args={"BASE_IMAGE": "sha256:2"})
    assert content_hash(changed_arg) != content_hash(spec)


def _killed(outcome: str, processes: tuple[int, int] | None, seconds: float = 5.0) -> RunResult:
    empty = CapturedOutput(b"", b"", 0)
    return RunResult(outcome=outcome, exit_code=None, seconds=seconds,  # type: ignore[arg-type]
                     stdout=empty, stderr=empty, limits=Limits(timeout_seconds=5, pids=128),
                     processes=processes)


def test_a_run_killed_at_its_process_limit_says_so() -> None:
    """A fork bomb that runs into its timeout: the cause is in the sentence, not only 'timed
    out'; below the limit (or unknown) nothing is claimed."""
    crowded = _killed("timeout", (128, 128))
    assert crowded.at_process_limit
    assert crowded.explain() == ("timed out: killed after 5 s (wall clock); its container was "
                                 "at its process limit (128 of 128 processes and threads, "
                                 "limits.pids) when it was killed")
    assert crowded.to_evidence()["processes_when_killed"] == [128, 128]
    cut = _killed("budget", (128, 128), seconds=3.4)
    assert cut.describe().startswith("stopped after 3.4 s: the challenge's grading budget")
    assert cut.describe().endswith("(128 of 128 processes and threads, limits.pids) when it "
                                   "was killed")
    for quiet in (_killed("timeout", (3, 128)), _killed("timeout", None)):
        assert quiet.describe() == "timed out: killed after 5 s (wall clock)"
    assert _killed("timeout", (3, 128)).to_evidence()["processes_when_killed"] == [3, 128]
    assert "processes_when_killed" not in _killed("timeout", None).to_evidence()
