"""Intake refuses hostile archives with one clear sentence and a rule id, and never writes
outside its work folder; good submissions unpack, strip one top folder and skip clutter."""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.challenge import IntakeLimits
from grader.cli import cli
from grader.errors import InputRejected
from grader.intake import open_submission, rejected_submission_id, source_fingerprint
from tests.conftest import TEST_CHALLENGE

MANIFEST = b"challenge: wordfreq\ncandidate: Ada Lovelace\ncommands:\n  run: python main.py\n"


def make_zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def symlink_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("submission.yaml", MANIFEST)
        link = zipfile.ZipInfo("passwd")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
    return path


def bomb_zip(path: Path) -> Path:
    """1 GiB of zeros, deflated to about 1 MB (streamed, so building it stays cheap)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("submission.yaml", MANIFEST)
        with zf.open("zeros.bin", "w", force_zip64=True) as out:
            block = bytes(1024 * 1024)
            for _ in range(1024):
                out.write(block)
    return path


def many_files_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("submission.yaml", MANIFEST)
        for i in range(100_000):
            zf.writestr(f"f/{i}.txt", b"x")
    return path


@pytest.fixture(scope="session")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bomb_zip(tmp_path_factory.mktemp("bomb") / "bomb.zip")


@pytest.fixture(scope="session")
def many_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return many_files_zip(tmp_path_factory.mktemp("many") / "many.zip")


def snapshot(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


BAD_INPUTS: dict[str, tuple[Callable[[Path], Path], str, str]] = {
    # name: (make, rule, words the message must contain)
    "traversal": (lambda p: make_zip(p, {"submission.yaml": MANIFEST, "../evil.py": b"x"}),
                  "path-traversal", "'../evil.py' climbs out"),
    "deep-traversal": (lambda p: make_zip(p, {"submission.yaml": MANIFEST,
                                              "a/../../evil.py": b"x"}),
                       "path-traversal", "path traversal"),
    "absolute": (lambda p: make_zip(p, {"submission.yaml": MANIFEST, "/tmp/evil.py": b"x"}),
                 "absolute-path", "is an absolute path"),
    "windows-absolute": (lambda p: make_zip(p, {"submission.yaml": MANIFEST,
                                                "C:/evil.py": b"x"}),
                         "absolute-path", "is an absolute path"),
    "symlink": (symlink_zip, "link", "is a symbolic link"),
    "not-a-zip": (lambda p: (p.write_bytes(b"PK but not really a zip " * 10), p)[1],
                  "not-a-zip", "is not a zip archive"),
    "empty": (lambda p: make_zip(p, {}), "empty", "contains no files"),
    "only-clutter": (lambda p: make_zip(p, {".git/HEAD": b"ref", "__MACOSX/._x": b"x"}),
                     "empty", "contains no files"),
    "no-manifest": (lambda p: make_zip(p, {"main.py": b"print(1)\n"}),
                    "manifest-missing", "has no submission.yaml"),
    "manifest-not-yaml": (lambda p: make_zip(p, {"submission.yaml": b"challenge: [oops"}),
                          "manifest-invalid", "is not valid YAML"),
    "manifest-not-mapping": (lambda p: make_zip(p, {"submission.yaml": b"- a\n- b\n"}),
                             "manifest-invalid", "must be a mapping"),
    "manifest-no-challenge": (lambda p: make_zip(p, {"submission.yaml": b"candidate: Ada\n"}),
                              "manifest-invalid", "needs 'challenge'"),
    "manifest-unknown-key": (lambda p: make_zip(p, {"submission.yaml": MANIFEST +
                                                    b"comands: {}\n"}),
                             "manifest-invalid", "unknown key 'comands'"),
    "manifest-bad-commands": (lambda p: make_zip(p, {"submission.yaml":
                                                     b"challenge: x\ncandidate: y\n"
                                                     b"commands: [python main.py]\n"}),
                              "manifest-invalid", "'commands'"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_refused_with_its_own_message(name: str, tmp_path: Path) -> None:
    make, rule, words = BAD_INPUTS[name]
    source = make(tmp_path / f"{name}.zip")
    work = tmp_path / "work"
    work.mkdir()
    before = snapshot(tmp_path) - snapshot(work)
    with pytest.raises(InputRejected) as info:
        open_submission(source, work)
    assert info.value.rule == rule
    message = str(info.value)
    assert words in message, message
    assert message.count(". ") == 0 or message.endswith("."), "one sentence"
    assert "\n" not in message
    after = {p for p in snapshot(tmp_path) if not p.startswith("work")}
    assert after == {p for p in before if not p.startswith("work")}, "wrote outside work/"
    assert not (tmp_path / "evil.py").exists()
    assert not Path("/tmp/evil.py").exists()


def test_zip_bomb_is_refused_before_unpacking(bomb: Path, tmp_path: Path) -> None:
    with pytest.raises(InputRejected) as info:
        open_submission(bomb, tmp_path)
    assert info.value.rule in ("total-size", "compression-ratio")
    assert "1024.0 MiB" in str(info.value) or "times" in str(info.value)
    assert not (tmp_path / "files" / "zeros.bin").exists()
    # With a generous size cap the ratio cap still catches it.
    with pytest.raises(InputRejected) as info:
        open_submission(bomb, tmp_path / "again", IntakeLimits(max_total_mb=4096))
    assert info.value.rule == "compression-ratio"
    assert "compression-ratio cap" in str(info.value)


def test_a_hundred_thousand_tiny_files_are_refused(many_files: Path, tmp_path: Path) -> None:
    with pytest.raises(InputRejected) as info:
        open_submission(many_files, tmp_path)
    assert info.value.rule == "file-count"
    assert "100,001 entries" in str(info.value)
    assert not (tmp_path / "files").exists()


def test_lying_sizes_are_caught_while_reading(tmp_path: Path) -> None:
    """An entry whose header declares fewer bytes than it holds stops at the declared size."""
    source = make_zip(tmp_path / "lie.zip", {"submission.yaml": MANIFEST,
                                             "data.txt": b"y" * 5000})
    raw = bytearray(source.read_bytes())
    # Patch the central directory's uncompressed size of data.txt to 10 bytes.
    with zipfile.ZipFile(source) as zf:
        info = zf.getinfo("data.txt")
    cd_name = raw.rfind(b"data.txt")
    size_offset = cd_name - 46 + 24  # central directory header: uncompressed size at +24
    raw[size_offset:size_offset + 4] = (10).to_bytes(4, "little")
    source.write_bytes(bytes(raw))
    assert info.file_size == 5000
    with pytest.raises(InputRejected) as excinfo:
        open_submission(source, tmp_path / "work")
    assert excinfo.value.rule in ("total-size", "not-a-zip")


def test_folder_with_a_symlink_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "submission.yaml").write_bytes(MANIFEST)
    os.symlink("/etc/passwd", folder / "passwd")
    with pytest.raises(InputRejected) as info:
        open_submission(folder, tmp_path / "work")
    assert info.value.rule == "link"
    assert "passwd is a symbolic link" in str(info.value)


def test_folder_with_a_fifo_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "submission.yaml").write_bytes(MANIFEST)
    os.mkfifo(folder / "pipe")
    with pytest.raises(InputRejected) as info:
        open_submission(folder, tmp_path / "work")
    assert info.value.rule == "special-file"


def test_missing_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputRejected) as info:
        open_submission(tmp_path / "nope.zip", tmp_path / "work")
    assert info.value.rule == "not-found"


def test_good_zip_strips_the_top_folder_and_skips_clutter(tmp_path: Path) -> None:
    source = make_zip(tmp_path / "ada.zip", {
        "project/submission.yaml": MANIFEST,
        "project/main.py": b"print('hi')\n",
        "project/pkg/util.py": b"X = 1\n",
        "project/.git/HEAD": b"ref: refs/heads/main\n",
        "project/venv/pyvenv.cfg": b"home = /usr\n",
        "project/venv/lib/site.py": b"",
        "project/pkg/__pycache__/util.cpython-311.pyc": b"\0",
        "__MACOSX/project/._main.py": b"\0",
    })
    sub = open_submission(source, tmp_path / "work")
    assert sub.files == ("main.py", "pkg/util.py", "submission.yaml")
    assert (sub.root / "pkg" / "util.py").read_text() == "X = 1\n"
    assert sub.manifest.candidate == "Ada Lovelace"
    assert sub.manifest.commands == {"run": "python main.py"}
    assert ".git" in sub.ignored and "venv" in sub.ignored and "__MACOSX" in sub.ignored
    assert sub.id == f"ada-lovelace-{sub.sha256[:12]}"
    assert sub.total_bytes == len(MANIFEST) + 12 + 6


def test_zip_and_folder_with_the_same_files_have_the_same_fingerprint(tmp_path: Path) -> None:
    entries = {"submission.yaml": MANIFEST, "main.py": b"print(1)\n", "a/b.py": b"\n"}
    from_zip = open_submission(make_zip(tmp_path / "s.zip", entries), tmp_path / "w1")
    folder = tmp_path / "folder"
    for name, data in entries.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    from_folder = open_submission(folder, tmp_path / "w2")
    assert from_zip.sha256 == from_folder.sha256
    assert from_zip.files == from_folder.files


def test_executable_bit_is_kept_and_nothing_else(tmp_path: Path) -> None:
    source = tmp_path / "x.zip"
    with zipfile.ZipFile(source, "w") as zf:
        zf.writestr("submission.yaml", MANIFEST)
        script = zipfile.ZipInfo("run.sh")
        script.external_attr = (stat.S_IFREG | 0o4777) << 16  # setuid asked for
        zf.writestr(script, "#!/bin/sh\n")
    sub = open_submission(source, tmp_path / "work")
    assert stat.S_IMODE((sub.root / "run.sh").stat().st_mode) == 0o755
    assert stat.S_IMODE((sub.root / "submission.yaml").stat().st_mode) == 0o644


def test_rejected_ids_and_fingerprints_are_stable(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "Bob Smith.zip", {"x": b"1"})
    assert source_fingerprint(path) == source_fingerprint(path)
    assert rejected_submission_id(path).startswith("bob-smith-")
    assert rejected_submission_id(tmp_path / "missing.zip").startswith("missing-")


@pytest.mark.parametrize("name", ["traversal", "absolute", "symlink", "not-a-zip", "empty",
                                  "no-manifest", "manifest-not-yaml", "bomb", "many-files"])
def test_cli_exits_2_and_writes_a_rejected_report(name: str, tmp_path: Path, bomb: Path,
                                                  many_files: Path) -> None:
    if name == "bomb":
        source = bomb
    elif name == "many-files":
        source = many_files
    else:
        source = BAD_INPUTS[name][0](tmp_path / f"{name}.zip")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["run", str(source), "--challenge", str(TEST_CHALLENGE),
                                      "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "REJECTED" in result.output
    assert "Traceback" not in result.output
    [report_dir] = list(out.iterdir())
    assert (report_dir / "report.json").is_file()
