"""peek_challenge_id reads only the challenge of submission.yaml, where the full intake finds
it, and never raises: odd input gives None and is left to the full intake to refuse."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from grader.errors import InputRejected
from grader.intake import MANIFEST_FILE, MANIFEST_MAX_BYTES, open_submission, peek_challenge_id

MANIFEST = b"challenge: wordfreq\ncandidate: Ada Lovelace\n"


def make_zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def make_folder(path: Path, entries: dict[str, bytes]) -> Path:
    path.mkdir()
    for name, data in entries.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return path


def both(tmp_path: Path, entries: dict[str, bytes]) -> list[Path]:
    """The same submission as a zip and as a folder."""
    return [make_zip(tmp_path / "sub.zip", entries), make_folder(tmp_path / "sub", entries)]


# -- where the manifest is found --------------------------------------------------------------
def test_a_zip_manifest_at_the_top(tmp_path: Path) -> None:
    source = make_zip(tmp_path / "s.zip", {MANIFEST_FILE: MANIFEST, "main.py": b"print(1)\n"})
    assert peek_challenge_id(source) == "wordfreq"


def test_a_folder_manifest_at_the_top(tmp_path: Path) -> None:
    source = make_folder(tmp_path / "s", {MANIFEST_FILE: MANIFEST, "main.py": b"print(1)\n"})
    assert peek_challenge_id(source) == "wordfreq"


def test_the_manifest_in_a_single_top_folder(tmp_path: Path) -> None:
    for source in both(tmp_path, {f"project/{MANIFEST_FILE}": MANIFEST,
                                  "project/src/main.py": b"",
                                  "__MACOSX/project/._main.py": b"clutter",
                                  ".DS_Store": b"clutter"}):
        assert peek_challenge_id(source) == "wordfreq", source


def test_folder_entries_in_a_zip_do_not_count_as_files(tmp_path: Path) -> None:
    source = make_zip(tmp_path / "s.zip", {"project/": b"", "project/src/": b"",
                                           f"project/{MANIFEST_FILE}": MANIFEST,
                                           "project/src/main.py": b"", "other/": b""})
    assert peek_challenge_id(source) == "wordfreq"
    assert open_submission(source, tmp_path / "work").manifest.challenge == "wordfreq"


def test_a_top_folder_holding_only_clutter_does_not_count(tmp_path: Path) -> None:
    source = make_folder(tmp_path / "s", {f"project/{MANIFEST_FILE}": MANIFEST,
                                          "project/main.py": b"",
                                          "cache/__pycache__/x.pyc": b"",
                                          "cache/.DS_Store": b""})
    (source / "empty").mkdir()
    assert peek_challenge_id(source) == "wordfreq"
    assert open_submission(source, tmp_path / "work").manifest.challenge == "wordfreq"


@pytest.mark.parametrize("entries", [
    {"a.py": b""},  # no manifest at all
    {f"a/{MANIFEST_FILE}": MANIFEST, "b.py": b""},  # nested, but a file at the top too
    {f"a/{MANIFEST_FILE}": MANIFEST, "b/c.py": b""},  # two top folders
    {f"a/b/{MANIFEST_FILE}": MANIFEST, "a/b/c.py": b""},  # two levels down: one is stripped
    {"Submission.yaml": MANIFEST, "a.py": b""},  # the name is case-sensitive
], ids=["none", "nested-with-top-file", "two-top-folders", "two-levels", "wrong-case"])
def test_no_manifest_where_the_intake_looks_gives_none(tmp_path: Path,
                                                       entries: dict[str, bytes]) -> None:
    for source in both(tmp_path, entries):
        assert peek_challenge_id(source) is None, source
        with pytest.raises(InputRejected) as caught:
            open_submission(source, tmp_path / f"work-{source.name}")
        assert caught.value.rule == "manifest-missing"


# -- bad input gives None, never an exception ------------------------------------------------
def test_a_missing_path_gives_none(tmp_path: Path) -> None:
    assert peek_challenge_id(tmp_path / "nothing.zip") is None


@pytest.mark.parametrize("content", [
    b"",  # empty file
    b"not a zip at all" * 100,
    b"PK\x05\x06" + b"\x00" * 18,  # an end record and nothing else
], ids=["empty", "garbage", "bare-end-record"])
def test_a_broken_zip_gives_none(tmp_path: Path, content: bytes) -> None:
    source = tmp_path / "broken.zip"
    source.write_bytes(content)
    assert peek_challenge_id(source) is None


def test_a_truncated_zip_gives_none(tmp_path: Path) -> None:
    source = make_zip(tmp_path / "s.zip", {MANIFEST_FILE: MANIFEST, "a.py": b"x" * 1000})
    data = source.read_bytes()
    source.write_bytes(data[: len(data) // 2])
    assert peek_challenge_id(source) is None


def test_a_corrupt_manifest_entry_gives_none(tmp_path: Path) -> None:
    source = make_zip(tmp_path / "s.zip", {MANIFEST_FILE: MANIFEST * 50})
    data = bytearray(source.read_bytes())
    start = 30 + len(MANIFEST_FILE)  # the first entry's data, after its local header
    data[start: start + 8] = b"\xff" * 8
    source.write_bytes(bytes(data))
    assert peek_challenge_id(source) is None


def test_an_oversized_manifest_gives_none(tmp_path: Path) -> None:
    big = MANIFEST + b"notes: '" + b"x" * MANIFEST_MAX_BYTES + b"'\n"
    for source in both(tmp_path, {MANIFEST_FILE: big}):
        assert peek_challenge_id(source) is None, source


def test_a_manifest_whose_declared_size_lies_gives_none(tmp_path: Path) -> None:
    """The central directory says 40 bytes; the entry inflates to far more than the cap (zipfile
    stops at the declared size, and the CRC then fails)."""
    big = MANIFEST + b"notes: '" + b"x" * (4 * MANIFEST_MAX_BYTES) + b"'\n"
    source = make_zip(tmp_path / "s.zip", {MANIFEST_FILE: big})
    data = bytearray(source.read_bytes())
    central = data.rfind(b"PK\x01\x02")
    data[central + 24: central + 28] = (40).to_bytes(4, "little")  # uncompressed size
    source.write_bytes(bytes(data))
    assert peek_challenge_id(source) is None


@pytest.mark.parametrize("manifest", [
    b"challenge: 42\ncandidate: Ada\n",
    b"challenge: [wordfreq]\ncandidate: Ada\n",
    b"challenge: {id: wordfreq}\n",
    b"challenge: null\n",
    b"challenge: Not An Id!\n",
    b"candidate: Ada\n",
    b"- challenge: wordfreq\n",
    b"just a string\n",
    b"",
    b"challenge: [unclosed\n",
    b"\xff\xfe\x00 not utf-8",
    b"[" * 10_000,
], ids=["int", "list", "mapping", "null", "not-an-id", "absent", "list-at-top", "string",
        "empty", "bad-yaml", "not-utf8", "deep-nesting"])
def test_a_challenge_that_is_not_an_id_string_gives_none(tmp_path: Path,
                                                        manifest: bytes) -> None:
    for source in both(tmp_path, {MANIFEST_FILE: manifest}):
        assert peek_challenge_id(source) is None, source


def test_the_challenge_is_stripped_like_the_intake_does(tmp_path: Path) -> None:
    source = make_zip(tmp_path / "s.zip", {MANIFEST_FILE: b"challenge: ' wordfreq '\n"})
    assert peek_challenge_id(source) == "wordfreq"


def test_a_utf8_bom_is_accepted(tmp_path: Path) -> None:
    source = make_zip(tmp_path / "s.zip", {MANIFEST_FILE: b"\xef\xbb\xbf" + MANIFEST})
    assert peek_challenge_id(source) == "wordfreq"


def test_a_duplicated_manifest_entry_gives_none(tmp_path: Path) -> None:
    source = tmp_path / "dup.zip"
    with pytest.warns(UserWarning), zipfile.ZipFile(source, "w") as zf:
        zf.writestr(MANIFEST_FILE, MANIFEST)
        zf.writestr(MANIFEST_FILE, b"challenge: other\n")
    assert peek_challenge_id(source) is None


# -- links ------------------------------------------------------------------------------------
def test_a_symlinked_manifest_in_a_folder_is_not_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_bytes(MANIFEST)
    source = make_folder(tmp_path / "s", {"main.py": b""})
    (source / MANIFEST_FILE).symlink_to(elsewhere)
    assert peek_challenge_id(source) is None


def test_a_symlinked_manifest_in_the_top_folder_is_not_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_bytes(MANIFEST)
    source = make_folder(tmp_path / "s", {"project/main.py": b""})
    (source / "project" / MANIFEST_FILE).symlink_to(elsewhere)
    assert peek_challenge_id(source) is None


def test_a_symlinked_top_folder_is_not_followed(tmp_path: Path) -> None:
    real = make_folder(tmp_path / "real", {MANIFEST_FILE: MANIFEST, "main.py": b""})
    source = tmp_path / "s"
    source.mkdir()
    (source / "project").symlink_to(real)
    assert peek_challenge_id(source) is None


def test_a_symlink_given_as_the_submission_gives_none(tmp_path: Path) -> None:
    real = make_zip(tmp_path / "real.zip", {MANIFEST_FILE: MANIFEST})
    link = tmp_path / "link.zip"
    link.symlink_to(real)
    assert peek_challenge_id(link) is None


def test_a_symlink_entry_named_like_the_manifest_in_a_zip_gives_none(tmp_path: Path) -> None:
    source = tmp_path / "s.zip"
    with zipfile.ZipFile(source, "w") as zf:
        info = zipfile.ZipInfo(MANIFEST_FILE)
        info.external_attr = (0o120777 << 16)
        zf.writestr(info, b"/etc/passwd")
    assert peek_challenge_id(source) is None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_manifest_does_not_block(tmp_path: Path) -> None:
    source = make_folder(tmp_path / "s", {"main.py": b""})
    os.mkfifo(source / MANIFEST_FILE)
    assert peek_challenge_id(source) is None


# -- nothing is written -----------------------------------------------------------------------
def test_a_peek_extracts_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = make_zip(tmp_path / "s.zip", {MANIFEST_FILE: MANIFEST, "a.py": b"x",
                                           "b/c.py": b"y"})
    monkeypatch.chdir(tmp_path)
    before = sorted(tmp_path.rglob("*"))
    opened: list[str] = []
    original: Callable[..., object] = zipfile.ZipFile.open

    def spy(self: zipfile.ZipFile, name: object, *args: object, **kwargs: object) -> object:
        opened.append(getattr(name, "filename", str(name)))
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    assert peek_challenge_id(source) == "wordfreq"
    assert opened == [MANIFEST_FILE]
    assert sorted(tmp_path.rglob("*")) == before
