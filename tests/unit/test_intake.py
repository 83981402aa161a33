"""Intake refuses hostile input with one clear sentence and a rule id, and never writes outside
its work folder; good submissions unpack, strip one top folder and skip clutter.

Every refusal test goes through `refuse()`, which also proves that nothing appeared or changed
outside the work folder. No Docker; the whole file runs in a few seconds (the 1 GiB zip bomb,
built once per session by streaming 1 MiB blocks of zeros, is the slow part).
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import cli
from grader.errors import InputRejected
from grader.intake import (
    MANIFEST_FILE,
    Manifest,
    Submission,
    open_submission,
    rejected_submission_id,
    source_fingerprint,
)
from grader.intake import listing as intake_listing
from grader.intake import submission as intake_submission
from grader.intake.limits import IntakeLimits
from tests.conftest import TEST_CHALLENGE

MANIFEST = b"challenge: wordfreq\ncandidate: Ada Lovelace\ncommands:\n  run: python main.py\n"
OUTSIDE = f"/tmp/grader-intake-evil-{os.getpid()}.py"  # where an absolute entry would aim
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*-[0-9a-f]{12}$")


# -- building archives ------------------------------------------------------------------------
def make_zip(path: Path, entries: dict[str, bytes],
             compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def with_manifest(path: Path, entries: dict[str, bytes]) -> Path:
    return make_zip(path, {MANIFEST_FILE: MANIFEST, **entries})


def special_zip(mode: int, name: str = "entry", data: bytes = b"/etc/passwd") -> Callable[
        [Path], Path]:
    """A zip whose `name` entry carries unix mode `mode` (a link, a FIFO, a device...)."""
    def make(path: Path) -> Path:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr(MANIFEST_FILE, MANIFEST)
            info = zipfile.ZipInfo(name)
            info.external_attr = mode << 16
            zf.writestr(info, data)
        return path
    return make


def patch_central(path: Path, name: str, offset: int, value: int, width: int) -> None:
    """Overwrite a field of `name`'s central-directory record (offset from its signature)."""
    raw = bytearray(path.read_bytes())
    start = raw.rfind(name.encode()) - 46  # the central directory follows the local headers
    assert raw[start:start + 4] == b"PK\x01\x02"
    raw[start + offset:start + offset + width] = value.to_bytes(width, "little")
    path.write_bytes(bytes(raw))


def patched(name: str, offset: int, value: int, width: int) -> Callable[[Path], Path]:
    def make(path: Path) -> Path:
        with_manifest(path, {name: b"print('hello')\n" * 20})
        patch_central(path, name, offset, value, width)
        return path
    return make


def nul_in_name(path: Path) -> Path:
    with_manifest(path, {"evilQQ.py": b"x"})  # zipfile cuts names at NUL: patch the bytes
    path.write_bytes(path.read_bytes().replace(b"evilQQ.py", b"evil\0Q.py"))
    return path


def corrupt_data(path: Path) -> Path:
    make_zip(path, {MANIFEST_FILE: MANIFEST, "data.txt": b"A" * 4000}, zipfile.ZIP_STORED)
    raw = path.read_bytes()
    path.write_bytes(raw.replace(b"A" * 4000, b"A" * 1999 + b"B" + b"A" * 2000, 1))
    return path


def truncated(path: Path) -> Path:
    with_manifest(path, {"main.py": b"print(1)\n" * 100})
    path.write_bytes(path.read_bytes()[:-30])
    return path


def bomb_zip(path: Path) -> Path:
    """1 GiB of zeros deflated at level 9 (about 1 MB), streamed in 1 MiB blocks."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr(MANIFEST_FILE, MANIFEST)
        with zf.open("zeros.bin", "w", force_zip64=True) as out:
            block = bytes(1024 * 1024)
            for _ in range(1024):
                out.write(block)
    return path


def many_files_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(MANIFEST_FILE, MANIFEST)
        for i in range(100_000):
            zf.writestr(f"f/{i}.txt", b"x")
    return path


@pytest.fixture(scope="session")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bomb_zip(tmp_path_factory.mktemp("bomb") / "bomb.zip")


@pytest.fixture(scope="session")
def many_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return many_files_zip(tmp_path_factory.mktemp("many") / "many.zip")


def make_folder(folder: Path, entries: dict[str, bytes]) -> Path:
    for name, data in entries.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


# -- checking refusals ------------------------------------------------------------------------
def snapshot(folder: Path, skip: Path) -> dict[str, tuple[int, int]]:
    """Every path under `folder` except `skip`'s subtree, with its size and mtime (no links
    followed)."""
    seen: dict[str, tuple[int, int]] = {}
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = [d for d in dirnames if Path(dirpath, d) != skip]
        for name in dirnames + filenames:
            st = os.lstat(Path(dirpath, name))
            seen[os.path.relpath(Path(dirpath, name), folder)] = (st.st_size, st.st_mtime_ns)
    return seen


def assert_one_sentence(message: str, *words: str) -> None:
    assert "\n" not in message, message
    assert message.endswith("."), message
    assert not re.search(r"[.!?;]\s+[A-Z]", message[:-1]), f"more than one sentence: {message}"
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"


def refuse(source: Path, tmp_path: Path, limits: IntakeLimits | None = None) -> InputRejected:
    """open_submission must refuse `source` without touching anything outside tmp_path/work."""
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    before = snapshot(tmp_path, work)
    with pytest.raises(InputRejected) as info:
        open_submission(source, work, limits or IntakeLimits())
    assert snapshot(tmp_path, work) == before, "something was written outside the workdir"
    assert not Path(OUTSIDE).exists()
    assert set(os.listdir(work)) <= {"files"}, "something was written beside workdir/files"
    for p in (work / "files").rglob("*"):
        assert not p.is_symlink() and p.resolve().is_relative_to(work.resolve())
    return info.value


BAD_ZIPS: dict[str, tuple[Callable[[Path], Path], str, tuple[str, ...]]] = {
    # name: (make, rule, words the message must contain)
    "traversal": (lambda p: with_manifest(p, {"../evil.py": b"x"}),
                  "path-traversal", ("'../evil.py'", "out of the submission folder",
                                     "path traversal")),
    "deep-traversal": (lambda p: with_manifest(p, {"a/../../evil.py": b"x"}),
                       "path-traversal", ("'a/../../evil.py'", "path traversal")),
    "inner-dotdot": (lambda p: with_manifest(p, {"a/../b.py": b"x"}),
                     "path-traversal", ("'a/../b.py'", "out of its folder")),
    "absolute": (lambda p: with_manifest(p, {OUTSIDE: b"x"}),
                 "absolute-path", (repr(OUTSIDE), "is an absolute path")),
    "windows-drive": (lambda p: with_manifest(p, {"C:/evil.py": b"x"}),
                      "absolute-path", ("'C:/evil.py'", "is an absolute path")),
    "windows-unc": (lambda p: with_manifest(p, {"\\\\server\\share\\evil.py": b"x"}),
                    "absolute-path", ("server", "is an absolute path")),
    "backslash": (lambda p: with_manifest(p, {"pkg\\evil.py": b"x"}),
                  "bad-filename", ("pkg", "backslash")),
    "nul-in-name": (nul_in_name, "bad-filename", ("evil\\x00Q.py", "control character")),
    "newline-in-name": (lambda p: with_manifest(p, {"evil\n.py": b"x"}),
                        "bad-filename", ("evil\\n.py", "control character")),
    "duplicate": (lambda p: with_manifest(p, {"a/b.py": b"1", "a//b.py": b"2"}),
                  "bad-filename", ("'a/b.py'", "more than once")),
    "duplicate-dot": (lambda p: with_manifest(p, {"x.py": b"1", "./x.py": b"2"}),
                      "bad-filename", ("'x.py'", "more than once")),
    "file-and-folder": (lambda p: with_manifest(p, {"a": b"1", "a/b.py": b"2"}),
                        "bad-filename", ("'a' is both a file and a folder",)),
    "long-name": (lambda p: with_manifest(p, {"x" * 300 + ".py": b"1"}),
                  "bad-filename", ("longer than 255 bytes",)),
    "symlink": (special_zip(stat.S_IFLNK | 0o777, "passwd"), "link",
                ("'passwd'", "symbolic link")),
    "fifo": (special_zip(stat.S_IFIFO | 0o644, "pipe"), "special-file",
             ("'pipe'", "special file")),
    "device": (special_zip(stat.S_IFCHR | 0o644, "zero"), "special-file",
               ("'zero'", "special file")),
    "encrypted": (patched("secret.py", 8, 0x1, 2), "encrypted", ("'secret.py'", "encrypted")),
    "overlapping": (patched("main.py", 42, 0, 4), "link", ("overlaps the data",)),
    "unknown-method": (patched("main.py", 10, 9, 2), "not-a-zip",
                       ("'main.py'", "compression method 9")),
    "crc-error": (corrupt_data, "not-a-zip", ("'data.txt'", "corrupt", "CRC")),
    "truncated": (truncated, "not-a-zip", ("truncated.zip", "not")),
    "not-a-zip": (lambda p: (p.write_bytes(b"PK but not really a zip " * 10), p)[1],
                  "not-a-zip", ("not-a-zip.zip is not a zip archive",)),
    "empty": (lambda p: make_zip(p, {}), "empty", ("empty.zip contains no files",)),
    "only-clutter": (lambda p: make_zip(p, {".git/HEAD": b"ref", "__MACOSX/._x": b"x"}),
                     "empty", ("contains no files besides ignored .git, __MACOSX",)),
    "no-manifest": (lambda p: make_zip(p, {"main.py": b"print(1)\n"}),
                    "manifest-missing", ("has no submission.yaml at its top level",)),
    "manifest-wrong-case": (lambda p: make_zip(p, {"Submission.yaml": MANIFEST, "a.py": b""}),
                            "manifest-missing", ("found 'Submission.yaml'", "case-sensitive")),
    "manifest-nested": (lambda p: make_zip(p, {"a/submission.yaml": MANIFEST, "b.py": b""}),
                        "manifest-missing", ("found 'a/submission.yaml'", "top level")),
}

BAD_MANIFESTS: dict[str, tuple[bytes, tuple[str, ...]]] = {
    # name: (submission.yaml, words the message must contain)
    "not-yaml": (b"challenge: [oops", ("is not valid YAML", "line")),
    "tabs": (b"challenge: x\n\tcandidate: y\n", ("is not valid YAML",)),
    "not-utf8": (b"challenge: x\ncandidate: \xff\xfe\n", ("is not UTF-8",)),
    "empty-file": (b"", ("must be a mapping", "not nothing")),
    "a-list": (b"- a\n- b\n", ("must be a mapping", "not a list")),
    "no-challenge": (b"candidate: Ada\n", ("needs 'challenge'",)),
    "challenge-a-path": (b"challenge: ../../etc\ncandidate: Ada\n", ("needs 'challenge'",)),
    "challenge-a-number": (b"challenge: 12.5\ncandidate: Ada\n", ("needs 'challenge'",)),
    "no-candidate": (b"challenge: wordfreq\n", ("needs 'candidate'",)),
    "blank-candidate": (b"challenge: wordfreq\ncandidate: '  '\n", ("needs 'candidate'",)),
    "candidate-a-bool": (b"challenge: wordfreq\ncandidate: yes\n", ("needs 'candidate'",)),
    "unknown-key": (MANIFEST + b"comands: {}\n",
                    ("unknown key 'comands'",
                     "allowed keys: challenge, candidate, framework, commands, artifact, notes")),
    "artifact-escapes": (MANIFEST + b"artifact: ../model\n", ("'artifact'", "relative path")),
    "artifact-absolute": (MANIFEST + b"artifact: /etc/model\n", ("'artifact'",)),
    "commands-a-list": (MANIFEST.split(b"commands")[0] + b"commands: [python main.py]\n",
                        ("'commands'", "mapping of names to shell commands")),
    "commands-a-string": (MANIFEST.split(b"commands")[0] + b"commands: ''\n", ("'commands'",)),
    "command-not-a-string": (MANIFEST.split(b"commands")[0] + b"commands: {run: 42}\n",
                             ("'commands'",)),
    "framework-a-list": (MANIFEST + b"framework: [fastapi]\n", ("'framework'",)),
    "notes-a-mapping": (MANIFEST + b"notes: {a: 1}\n", ("'notes'",)),
    "too-large": (MANIFEST + b"notes: '" + b"x" * 70_000 + b"'\n", ("larger than the 64 KiB",)),
    "too-deep": (b"[" * 30_000 + b"]" * 30_000, ("is not valid YAML",)),
    "alias-bomb": (b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a]\n"
                   b"c: &c [*b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c]\n",
                   ("unknown key 'a'",)),
}


@pytest.mark.parametrize("name", sorted(BAD_ZIPS))
def test_a_hostile_or_broken_zip_is_refused_with_its_rule(name: str, tmp_path: Path) -> None:
    make, rule, words = BAD_ZIPS[name]
    exc = refuse(make(tmp_path / f"{name}.zip"), tmp_path)
    assert exc.rule == rule, str(exc)
    assert_one_sentence(str(exc), *words)


@pytest.mark.parametrize("name", sorted(BAD_MANIFESTS))
def test_a_bad_manifest_is_refused_naming_the_key(name: str, tmp_path: Path) -> None:
    content, words = BAD_MANIFESTS[name]
    source = make_zip(tmp_path / "s.zip", {MANIFEST_FILE: content, "main.py": b""})
    exc = refuse(source, tmp_path)
    assert exc.rule == "manifest-invalid", str(exc)
    assert_one_sentence(str(exc), "s.zip: submission.yaml", *words)


@pytest.mark.parametrize(("limits", "rule", "words"), [
    (IntakeLimits(max_archive_mb=0.001), "archive-too-large", ("MiB archive-size cap",)),
    (IntakeLimits(max_files=2), "file-count", ("more than 2 files",)),
    (IntakeLimits(max_entries=4), "file-count", ("has 5 entries", "ignored ones included")),
    (IntakeLimits(max_total_mb=0.01), "total-size", ("MiB total-size cap",)),
])
def test_each_cap_is_applied(limits: IntakeLimits, rule: str, words: tuple[str, ...],
                             tmp_path: Path) -> None:
    source = with_manifest(tmp_path / "s.zip", {
        "a.py": os.urandom(12_000), "b.py": b"2", ".git/HEAD": b"ref", ".git/config": b""})
    exc = refuse(source, tmp_path, limits)
    assert exc.rule == rule
    assert_one_sentence(str(exc), "s.zip", *words)


# -- bombs ------------------------------------------------------------------------------------
def test_a_zip_bomb_is_refused_before_anything_is_written(bomb: Path, tmp_path: Path) -> None:
    exc = refuse(bomb, tmp_path)
    assert exc.rule in ("compression-ratio", "total-size")
    assert_one_sentence(str(exc), "bomb.zip", "1,024.0 MiB")
    assert not (tmp_path / "work" / "files").exists()
    # With a size cap big enough for it, the ratio cap still refuses it.
    exc = refuse(bomb, tmp_path, IntakeLimits(max_total_mb=4096))
    assert exc.rule == "compression-ratio"
    assert_one_sentence(str(exc), "bomb.zip would expand", "100x compression-ratio cap")
    assert not (tmp_path / "work" / "files").exists()


def test_one_bomb_entry_is_caught_even_when_the_archive_ratio_looks_fine(tmp_path: Path) -> None:
    source = tmp_path / "mixed.zip"
    with zipfile.ZipFile(source, "w") as zf:
        zf.writestr(MANIFEST_FILE, MANIFEST)
        zf.writestr("noise.bin", os.urandom(5 * 1024 * 1024))  # stored: ratio 1
        zf.writestr("zeros.bin", bytes(3 * 1024 * 1024), zipfile.ZIP_DEFLATED)
    exc = refuse(source, tmp_path)
    assert exc.rule == "compression-ratio"
    assert_one_sentence(str(exc), "entry 'zeros.bin' would expand")


def test_a_hundred_thousand_tiny_files_are_refused_unread(many_files: Path,
                                                          tmp_path: Path) -> None:
    exc = refuse(many_files, tmp_path)
    assert exc.rule == "file-count"
    assert_one_sentence(str(exc), "many.zip has 100,001 entries", "20,000 entry cap")
    assert not (tmp_path / "work" / "files").exists()
    # Under the entry cap, the file-count cap still applies.
    exc = refuse(many_files, tmp_path, IntakeLimits(max_entries=200_000))
    assert exc.rule == "file-count"
    assert_one_sentence(str(exc), "more than 2,000 files")
    assert not (tmp_path / "work" / "files").exists()


def test_a_lying_size_header_is_never_trusted(tmp_path: Path) -> None:
    """The central directory says 10 bytes; the entry holds 5000: never more than 10 bytes
    are written, and the archive is refused."""
    source = with_manifest(tmp_path / "lie.zip", {"data.txt": b"y" * 5000})
    patch_central(source, "data.txt", 24, 10, 4)  # uncompressed size
    exc = refuse(source, tmp_path)
    assert exc.rule in ("not-a-zip", "total-size")
    assert_one_sentence(str(exc), "'data.txt'")
    written = tmp_path / "work" / "files" / "data.txt"
    assert not written.exists() or written.stat().st_size <= 10


def test_real_bytes_are_counted_while_copying(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A file that grows after it was listed (or a size that lied) stops the copy."""
    folder = make_folder(tmp_path / "sub", {MANIFEST_FILE: MANIFEST, "big.txt": b"z" * 5000})
    listed = intake_listing._list_folder

    def lying(*args: object, **kwargs: object) -> intake_listing._Listing:
        listing = listed(*args, **kwargs)  # type: ignore[arg-type]
        for entry in listing.kept:
            entry.size = min(entry.size, 100)
        return listing

    monkeypatch.setattr(intake_submission, "_list_folder", lying)
    exc = refuse(folder, tmp_path)
    assert exc.rule == "total-size"
    assert_one_sentence(str(exc), "'big.txt' holds more data than the 100 bytes it declares")
    assert (tmp_path / "work" / "files" / "big.txt").stat().st_size <= 100


def test_the_total_size_cap_holds_while_copying(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_folder(tmp_path / "sub", {MANIFEST_FILE: MANIFEST, "big.txt": b"z" * 50_000})
    monkeypatch.setattr(intake_listing, "_check_caps", lambda *args, **kwargs: None)
    exc = refuse(folder, tmp_path, IntakeLimits(max_total_mb=0.01))
    assert exc.rule == "total-size"
    assert_one_sentence(str(exc), "unpacks to more than the 0.01 MiB total-size cap")
    written = sum(p.stat().st_size for p in (tmp_path / "work" / "files").rglob("*")
                  if p.is_file())
    assert written <= 0.01 * 1024 * 1024


# -- folders and odd inputs -------------------------------------------------------------------
def test_a_folder_with_a_symlink_is_refused_and_the_link_not_followed(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "sub", {MANIFEST_FILE: MANIFEST})
    os.symlink("/etc/passwd", folder / "passwd")
    exc = refuse(folder, tmp_path)
    assert exc.rule == "link"
    assert_one_sentence(str(exc), "sub: 'passwd' is a symbolic link")
    assert not (tmp_path / "work" / "files" / "passwd").exists()


@pytest.mark.parametrize("kind", ["dangling", "to-folder", "hard-link"])
def test_other_links_in_a_folder_are_refused(kind: str, tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "sub", {MANIFEST_FILE: MANIFEST, "pkg/a.py": b"1"})
    if kind == "dangling":
        os.symlink("/nonexistent/file", folder / "pkg" / "gone.py")
    elif kind == "to-folder":
        os.symlink("/etc", folder / "etc")
    else:
        os.link(folder / "pkg" / "a.py", tmp_path / "elsewhere.py")
    exc = refuse(folder, tmp_path)
    assert exc.rule == "link"
    assert_one_sentence(str(exc), "link")


@pytest.mark.timeout(20)
def test_a_folder_with_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "sub", {MANIFEST_FILE: MANIFEST})
    os.mkfifo(folder / "pipe")
    exc = refuse(folder, tmp_path)
    assert exc.rule == "special-file"
    assert_one_sentence(str(exc), "'pipe' is a special file")
    assert len(source_fingerprint(folder)) == 64  # and fingerprinting it does not block either


def test_a_folder_with_a_bad_name_is_refused(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "sub", {MANIFEST_FILE: MANIFEST, "a\\b.py": b""})
    exc = refuse(folder, tmp_path)
    assert exc.rule == "bad-filename"
    assert_one_sentence(str(exc), "backslash")


def test_a_missing_path_is_refused(tmp_path: Path) -> None:
    exc = refuse(tmp_path / "nope.zip", tmp_path)
    assert exc.rule == "not-found"
    assert_one_sentence(str(exc), "nope.zip does not exist")


def test_a_symlink_given_as_the_submission_is_refused(tmp_path: Path) -> None:
    real = with_manifest(tmp_path / "real.zip", {"main.py": b""})
    os.symlink(real, tmp_path / "link.zip")
    exc = refuse(tmp_path / "link.zip", tmp_path)
    assert exc.rule == "link"
    assert_one_sentence(str(exc), "link.zip is a symbolic link")


@pytest.mark.timeout(20)
def test_a_fifo_given_as_the_submission_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.zip")
    exc = refuse(tmp_path / "pipe.zip", tmp_path)
    assert exc.rule == "special-file"
    assert_one_sentence(str(exc), "pipe.zip is a special file")


# -- good submissions -------------------------------------------------------------------------
def test_a_good_zip_is_unpacked_with_its_top_folder_stripped_and_clutter_skipped(
        tmp_path: Path) -> None:
    source = tmp_path / "ada.zip"
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in {
            "project/submission.yaml": MANIFEST + b"framework: FastAPI\n",
            "project/main.py": b"print('hi')\n",
            "project/pkg/util.py": b"X = 1\n",
            "project/.git/HEAD": b"ref: refs/heads/main\n",
            "project/lib/.git": b"gitdir: ../.git/modules/lib\n",  # a submodule's .git file
            "project/venv/pyvenv.cfg": b"home = /usr\n",
            "project/venv/lib/site.py": b"",
            "project/myenv/pyvenv.cfg": b"home = /usr\n",  # a venv by any other name
            "project/myenv/bin/activate": b"",
            "project/pkg/__pycache__/util.cpython-311.pyc": b"\0",
            "project/stray.pyc": b"\0",
            "project/.DS_Store": b"\0",
            "project/node_modules/left-pad/index.js": b"",
            "__MACOSX/project/._main.py": b"\0",
        }.items():
            zf.writestr(name, data)
        link = zipfile.ZipInfo("project/node_modules/.bin/tool")  # links in clutter: skipped
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "../left-pad/index.js")
        zf.writestr("project/pkg/", b"")  # a folder entry
    work = tmp_path / "work"
    sub = open_submission(source, work)
    assert isinstance(sub, Submission)
    assert sub.files == ("main.py", "pkg/util.py", "submission.yaml")
    assert sub.root == work / "files"
    assert sorted(p.relative_to(sub.root).as_posix() for p in sub.root.rglob("*")
                  if p.is_file()) == list(sub.files)
    assert (sub.root / "pkg" / "util.py").read_text() == "X = 1\n"
    assert sub.ignored == (".DS_Store", ".git", "__MACOSX", "lib/.git", "myenv",
                           "node_modules", "pkg/__pycache__", "stray.pyc", "venv")
    assert sub.manifest == Manifest(challenge="wordfreq", candidate="Ada Lovelace",
                                    framework="fastapi", commands={"run": "python main.py"})
    assert sub.total_bytes == len(MANIFEST) + len(b"framework: FastAPI\n") + 12 + 6
    assert sub.source == source
    assert sub.id == f"ada-lovelace-{sub.sha256[:12]}"
    assert ID_RE.match(sub.id)


def test_the_fingerprint_is_the_documented_hash_and_the_same_for_zip_and_folder(
        tmp_path: Path) -> None:
    entries = {MANIFEST_FILE: MANIFEST, "main.py": b"print(1)\n", "a/b.py": b"\n",
               "a-c.py": b"c\n"}
    from_zip = open_submission(make_zip(tmp_path / "s.zip", entries), tmp_path / "w1")
    folder = make_folder(tmp_path / "folder", entries)
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_bytes(b"ref")
    from_folder = open_submission(folder, tmp_path / "w2")
    assert from_zip.sha256 == from_folder.sha256
    assert from_zip.files == from_folder.files == ("a-c.py", "a/b.py", "main.py",
                                                    MANIFEST_FILE)
    assert from_folder.ignored == (".git",)
    expected = hashlib.sha256()
    for rel in sorted(entries):
        expected.update(f"{rel}\0{hashlib.sha256(entries[rel]).hexdigest()}\0".encode())
    assert from_zip.sha256 == expected.hexdigest()
    # Wrapping everything in one top folder changes nothing.
    wrapped = make_zip(tmp_path / "w.zip", {f"top/{k}": v for k, v in entries.items()})
    assert open_submission(wrapped, tmp_path / "w3").sha256 == from_zip.sha256


def test_a_folder_input_is_copied_with_the_same_rules(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "Ada Project", {
        f"inner/{MANIFEST_FILE}": MANIFEST, "inner/main.py": b"print(1)\n",
        "inner/.venv/pyvenv.cfg": b"", "inner/.venv/lib/x.py": b""})
    os.symlink("python3", folder / "inner" / ".venv" / "python")  # inside clutter: never read
    sub = open_submission(folder, tmp_path / "work")
    assert sub.files == ("main.py", MANIFEST_FILE)
    assert sub.ignored == (".venv",)
    assert sub.total_bytes == len(MANIFEST) + 9


def test_modes_are_normalised_and_only_the_executable_bit_is_kept(tmp_path: Path) -> None:
    source = tmp_path / "x.zip"
    with zipfile.ZipFile(source, "w") as zf:
        zf.writestr(MANIFEST_FILE, MANIFEST)
        script = zipfile.ZipInfo("bin/run.sh")
        script.external_attr = (stat.S_IFREG | 0o4777) << 16  # setuid, world-writable
        zf.writestr(script, "#!/bin/sh\n")
        private = zipfile.ZipInfo("bin/data.txt")
        private.external_attr = (stat.S_IFREG | 0o600) << 16
        zf.writestr(private, "x")
    old_umask = os.umask(0o077)
    try:
        sub = open_submission(source, tmp_path / "work")
    finally:
        os.umask(old_umask)

    def mode(rel: str) -> int:
        return stat.S_IMODE((sub.root / rel).stat().st_mode)

    assert mode("bin/run.sh") == 0o755
    assert mode("bin/data.txt") == 0o644
    assert mode(MANIFEST_FILE) == 0o644
    assert mode("bin") == 0o755
    assert stat.S_IMODE(sub.root.stat().st_mode) == 0o755


def test_a_venv_at_the_project_root_does_not_hide_the_project(tmp_path: Path) -> None:
    source = make_zip(tmp_path / "s.zip", {"proj/submission.yaml": MANIFEST,
                                           "proj/pyvenv.cfg": b"home = /usr\n",
                                           "proj/main.py": b""})
    sub = open_submission(source, tmp_path / "work")
    assert sub.files == ("main.py", "pyvenv.cfg", MANIFEST_FILE)


def test_manifest_defaults_and_optional_keys(tmp_path: Path) -> None:
    source = make_zip(tmp_path / "s.zip", {MANIFEST_FILE: (
        "\ufeffchallenge: wordfreq\ncandidate: ada@example.com\nframework:\ncommands:\n"
        "notes: |\n  Two lines\n  of notes.\n").encode()})
    sub = open_submission(source, tmp_path / "work")
    assert sub.manifest == Manifest(challenge="wordfreq", candidate="ada@example.com",
                                    framework=None, commands={},
                                    notes="Two lines\nof notes.\n")
    assert sub.id.startswith("ada-example-com-")


def test_the_id_falls_back_to_the_file_stem_and_stays_short(tmp_path: Path) -> None:
    manifest = "challenge: wordfreq\ncandidate: 李雷\n".encode()
    sub = open_submission(make_zip(tmp_path / "Li Lei.zip", {MANIFEST_FILE: manifest}),
                          tmp_path / "w1")
    assert sub.id == f"li-lei-{sub.sha256[:12]}"
    manifest = ("challenge: wordfreq\ncandidate: " + "Bartholomew " * 10 + "\n").encode()
    sub = open_submission(make_zip(tmp_path / "b.zip", {MANIFEST_FILE: manifest}),
                          tmp_path / "w2")
    slug = sub.id[:-13]
    assert len(slug) <= 40 and slug.startswith("bartholomew-") and not slug.endswith("-")
    assert ID_RE.match(sub.id)


def test_a_used_workdir_is_not_reused(tmp_path: Path) -> None:
    (tmp_path / "work" / "files").mkdir(parents=True)
    (tmp_path / "work" / "files" / "old.txt").write_text("x")
    with pytest.raises(FileExistsError):
        open_submission(with_manifest(tmp_path / "s.zip", {}), tmp_path / "work")


# -- fingerprints of refused input ------------------------------------------------------------
def test_source_fingerprints_and_rejected_ids(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "Bob Smith.zip", {"x": b"1"})
    assert source_fingerprint(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    rid = rejected_submission_id(path)
    assert rid == f"bob-smith-{source_fingerprint(path)[:12]}"
    assert ID_RE.match(rid)
    missing = tmp_path / "missing.zip"
    assert source_fingerprint(missing) == hashlib.sha256(str(missing).encode()).hexdigest()
    assert rejected_submission_id(missing).startswith("missing-")


def test_a_folder_fingerprint_skips_what_it_cannot_read_and_follows_no_link(
        tmp_path: Path) -> None:
    target = tmp_path / "target.txt"
    target.write_text("one")
    folder = make_folder(tmp_path / "My.Folder", {"a.py": b"1", "pkg/b.py": b"2"})
    os.symlink(target, folder / "link.txt")
    os.mkfifo(folder / "pipe")
    first = source_fingerprint(folder)
    target.write_text("two")  # the link's target changes: the fingerprint does not
    assert source_fingerprint(folder) == first
    (folder / "pkg" / "b.py").write_bytes(b"3")
    assert source_fingerprint(folder) != first
    if os.geteuid() != 0:  # root reads everything
        (folder / "pkg" / "b.py").chmod(0)
        assert len(source_fingerprint(folder)) == 64
    assert rejected_submission_id(folder).startswith("my-folder-")


# -- through the CLI --------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["traversal", "symlink", "bomb", "many-files"])
def test_the_cli_exits_2_and_writes_a_rejected_report(name: str, tmp_path: Path, bomb: Path,
                                                      many_files: Path) -> None:
    sources = {"bomb": bomb, "many-files": many_files}
    source = sources.get(name) or BAD_ZIPS[name][0](tmp_path / f"{name}.zip")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["run", str(source), "--challenge", str(TEST_CHALLENGE),
                                      "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "REJECTED" in result.output
    assert "Traceback" not in result.output
    [report_dir] = list(out.iterdir())
    assert ID_RE.match(report_dir.name)
    assert (report_dir / "report.json").is_file()
