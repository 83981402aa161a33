"""Intake: turn a submission (.zip or folder) into a safely unpacked file tree and a manifest.

The submission is hostile. Nothing is extracted with `extractall`: every entry is checked before
a byte is written (no path traversal, no absolute paths, no odd names, no links or special
files, no encrypted entries), the caps on archive size, entry count, file count, total size and
compression ratio are checked on the declared sizes first and the real bytes are counted again
while writing. Clutter (`.git`, virtualenvs, `__pycache__`, `__MACOSX`, `node_modules`, ...) is
skipped unread and listed. A single top-level folder is stripped. `submission.yaml` is read with
`yaml.safe_load` and validated. Every refusal is an InputRejected whose message is one sentence
naming the entry and whose `rule` is one of the ids documented in docs/submission-yaml.md.
"""

from __future__ import annotations

import hashlib
import lzma
import os
import posixpath
import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath
from typing import IO, Any

import yaml

from grader.challenge import ID_PATTERN, IntakeLimits
from grader.errors import InputRejected

MANIFEST_FILE = "submission.yaml"
MANIFEST_MAX_BYTES = 64 * 1024
MANIFEST_KEYS = ("challenge", "candidate", "framework", "commands", "artifact", "notes")

MIB = 1024 * 1024
RATIO_FLOOR_BYTES = MIB  # compression ratios are judged only past this much data
MAX_NAME_BYTES = 255  # one path component (the usual filesystem limit)
MAX_PATH_BYTES = 1024  # a whole relative path
_CHUNK = 256 * 1024

IGNORED_DIRS = frozenset({
    "__MACOSX", ".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv", "venv",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints", ".tox",
})
IGNORED_FILES = frozenset({".DS_Store"})
IGNORED_SUFFIXES = (".pyc", ".pyo")
VENV_MARKER = "pyvenv.cfg"  # a folder holding this file is a virtualenv: ignored whole

DEFAULT_LIMITS = IntakeLimits()
_READABLE_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2,
                               zipfile.ZIP_LZMA})
# Errors zipfile and its decompressors raise on corrupt or hostile archives.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, NotImplementedError,
               struct.error, OSError, ValueError)
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class Manifest:
    """The validated content of `submission.yaml`."""

    challenge: str  # the challenge id
    candidate: str  # the candidate's name or email
    framework: str | None = None  # e.g. "fastapi" (lowercased)
    commands: dict[str, str] = field(default_factory=dict)  # name -> shell command
    notes: str = ""
    artifact: str | None = None  # what the `train` command writes (a relative path)


@dataclass(frozen=True)
class Submission:
    """A submission unpacked into `root` (inside the workdir given to open_submission)."""

    id: str  # "<slug>-<sha256[:12]>"
    source: Path  # the zip or folder given
    root: Path  # the folder holding the kept files
    manifest: Manifest
    sha256: str  # fingerprint of the normalised tree: equal for a zip and a folder alike
    files: tuple[str, ...]  # relative posix paths of the kept regular files, sorted
    total_bytes: int
    ignored: tuple[str, ...]  # ignored folders/files (".git", "venv", ...), sorted


@dataclass
class _Entry:
    """One kept regular file: its normalised relative name and where to read it."""

    name: str
    size: int
    executable: bool
    zip_info: zipfile.ZipInfo | None = None
    path: Path | None = None


@dataclass
class _Listing:
    kept: list[_Entry] = field(default_factory=list)
    ignored: set[str] = field(default_factory=set)


# -- names ------------------------------------------------------------------------------------
def _show(name: str, limit: int = 80) -> str:
    """A name quoted for a message: control characters escaped, long names shortened."""
    text = repr(name)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def _bad_char(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cs")  # control characters (NUL too), surrogates


def _normalise(raw: str, where: str) -> str:
    """The relative posix path an entry name stands for, or InputRejected."""
    if any(_bad_char(ch) for ch in raw):
        raise InputRejected(f"{where}: entry {_show(raw)} has a NUL or control character in "
                            "its name, which is not accepted.", rule="bad-filename")
    if raw.startswith(("/", "\\")) or _DRIVE.match(raw):
        raise InputRejected(f"{where}: entry {_show(raw)} is an absolute path, which is not "
                            "accepted (entries must be relative to the submission).",
                            rule="absolute-path")
    if "\\" in raw:
        raise InputRejected(f"{where}: entry {_show(raw)} has a backslash in its name, which "
                            "is not accepted (use '/' between folders).", rule="bad-filename")
    parts = [p for p in raw.split("/") if p not in ("", ".")]
    if ".." in parts:
        escapes = posixpath.normpath(raw).split("/")[0] == ".."
        where_to = "out of the submission folder" if escapes else "out of its folder"
        raise InputRejected(f"{where}: entry {_show(raw)} uses '..' to climb {where_to} "
                            "(path traversal), which is not accepted.", rule="path-traversal")
    name = "/".join(parts)
    if len(name.encode()) > MAX_PATH_BYTES or any(
            len(p.encode()) > MAX_NAME_BYTES for p in parts):
        raise InputRejected(f"{where}: entry {_show(raw)} has a name longer than "
                            f"{MAX_NAME_BYTES} bytes per folder or {MAX_PATH_BYTES} bytes in "
                            "all, which is not accepted.", rule="bad-filename")
    return name


def _ignored_at(name: str, venv_dirs: set[str]) -> str | None:
    """The ignored folder (or file) that `name` falls under, or None to keep it."""
    parts = name.split("/")
    for i, part in enumerate(parts):
        prefix = "/".join(parts[: i + 1])
        if part in IGNORED_DIRS or (i < len(parts) - 1 and prefix in venv_dirs):
            return prefix
    if parts[-1] in IGNORED_FILES or parts[-1].endswith(IGNORED_SUFFIXES):
        return name
    return None


def _venv_dirs(names: list[str]) -> set[str]:
    """Folders holding a pyvenv.cfg, except one that also holds the manifest (a project)."""
    present = set(names)
    found = set()
    for name in names:
        parent, _, base = name.rpartition("/")
        if base == VENV_MARKER and parent and f"{parent}/{MANIFEST_FILE}" not in present:
            found.add(parent)
    return found


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40].strip("-")


def _stem(path: Path) -> str:
    try:
        return path.name if path.is_dir() else path.stem
    except OSError:
        return path.stem


def _label(path: Path) -> str:
    """How messages name the input: its file or folder name, printable."""
    name = path.name or str(path)
    return "".join("?" if _bad_char(ch) else ch for ch in name)


# -- caps -------------------------------------------------------------------------------------
def _check_names(where: str, kept: list[_Entry]) -> None:
    """Refuse two entries with the same normalised name, or a name used as file and folder."""
    files: set[str] = set()
    for entry in kept:
        if entry.name in files:
            raise InputRejected(f"{where}: {_show(entry.name)} appears more than once after "
                                "normalising its name, which is not accepted.",
                                rule="bad-filename")
        files.add(entry.name)
    for entry in kept:
        parts = entry.name.split("/")
        for i in range(1, len(parts)):
            folder = "/".join(parts[:i])
            if folder in files:
                raise InputRejected(f"{where}: {_show(folder)} is both a file and a folder "
                                    f"(of {_show(entry.name)}), which is not accepted.",
                                    rule="bad-filename")


def _check_caps(where: str, kept: list[_Entry], limits: IntakeLimits,
                compressed: int | None) -> None:
    """File count, compression ratio (zip only) and total size, on the declared sizes."""
    if len(kept) > limits.max_files:
        raise InputRejected(f"{where} holds more than {limits.max_files:,} files, over the "
                            "file-count cap.", rule="file-count")
    total = sum(e.size for e in kept)
    if compressed is not None and total > RATIO_FLOOR_BYTES:
        ratio = total / max(compressed, 1)
        if ratio > limits.max_ratio:
            raise InputRejected(
                f"{where} would expand {ratio:,.0f} times ({total / MIB:,.1f} MiB from "
                f"{compressed / MIB:,.1f} MiB), over the {limits.max_ratio:g}x "
                "compression-ratio cap (a zip bomb?).", rule="compression-ratio")
        for e in kept:
            info = e.zip_info
            if info is not None and e.size > RATIO_FLOOR_BYTES:
                ratio = e.size / max(info.compress_size, 1)
                if ratio > limits.max_ratio:
                    raise InputRejected(
                        f"{where}: entry {_show(e.name)} would expand {ratio:,.0f} times, over "
                        f"the {limits.max_ratio:g}x compression-ratio cap (a zip bomb?).",
                        rule="compression-ratio")
    if total > _budget(limits):
        raise InputRejected(f"{where} unpacks to {total / MIB:,.1f} MiB, over the "
                            f"{limits.max_total_mb:g} MiB total-size cap.", rule="total-size")


def _budget(limits: IntakeLimits) -> int:
    return int(limits.max_total_mb * MIB)


def _too_many_entries(where: str, count: str, limits: IntakeLimits) -> InputRejected:
    return InputRejected(f"{where} has {count} entries, over the {limits.max_entries:,} "
                         "entry cap (ignored ones included).", rule="file-count")


# -- zip listing ------------------------------------------------------------------------------
_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64 = b"PK\x06\x06"


def _declared_entry_count(f: IO[bytes], size: int) -> int | None:
    """The entry count the end-of-central-directory record declares (None when unknown)."""
    tail_len = min(size, 22 + 0xFFFF)
    f.seek(size - tail_len)
    tail = f.read(tail_len)
    pos = tail.rfind(_EOCD)
    if pos < 0 or len(tail) - pos < 22:
        return None
    total = int.from_bytes(tail[pos + 10: pos + 12], "little")
    if total != 0xFFFF:
        return total
    if pos >= 20 and tail[pos - 20: pos - 16] == _EOCD64_LOCATOR:
        f.seek(int.from_bytes(tail[pos - 12: pos - 4], "little"))
        record = f.read(56)
        if len(record) == 56 and record[:4] == _EOCD64:
            return int.from_bytes(record[32:40], "little")
    return None


def _check_overlaps(where: str, infos: list[zipfile.ZipInfo], end: int) -> None:
    """Refuse entries sharing or overlapping each other's data (a hard-link-like trick that
    overlapping-entry zip bombs rely on)."""
    ordered = sorted(infos, key=lambda i: i.header_offset)
    for i, info in enumerate(ordered):
        following = ordered[i + 1] if i + 1 < len(ordered) else None
        limit = following.header_offset if following is not None else end
        if info.header_offset + 30 + info.compress_size > limit:  # 30: local header size
            other = _show(following.orig_filename) if following else "the central directory"
            raise InputRejected(f"{where}: entry {_show(info.orig_filename)} overlaps the data "
                                f"of {other}, which is not accepted.", rule="link")


def _list_zip(zf: zipfile.ZipFile, where: str, limits: IntakeLimits) -> _Listing:
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise _too_many_entries(where, f"{len(infos):,}", limits)
    _check_overlaps(where, infos, getattr(zf, "start_dir", 2**63))
    named = [(info, _normalise(info.orig_filename, where)) for info in infos]
    venv_dirs = _venv_dirs([name for _, name in named])
    listing = _Listing()
    for info, name in named:
        if not name:  # "./" and the like: the root itself
            continue
        skip = _ignored_at(name, venv_dirs)
        if skip is not None:
            listing.ignored.add(skip)
            continue
        mode = info.external_attr >> 16
        kind = stat.S_IFMT(mode)
        if kind == stat.S_IFLNK:
            raise InputRejected(f"{where}: entry {_show(info.orig_filename)} is a symbolic "
                                "link, and links are not accepted.", rule="link")
        if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
            raise InputRejected(f"{where}: entry {_show(info.orig_filename)} is a special file "
                                "(not a regular file or folder), which is not accepted.",
                                rule="special-file")
        if info.flag_bits & 0x1:
            raise InputRejected(f"{where}: entry {_show(info.orig_filename)} is encrypted, and "
                                "encrypted entries are not accepted.", rule="encrypted")
        if info.is_dir() or kind == stat.S_IFDIR:
            continue
        if info.compress_type not in _READABLE_METHODS:
            raise InputRejected(f"{where}: entry {_show(info.orig_filename)} uses compression "
                                f"method {info.compress_type}, which grader cannot read.",
                                rule="not-a-zip")
        listing.kept.append(_Entry(name=name, size=info.file_size,
                                   executable=bool(mode & stat.S_IXUSR), zip_info=info))
    _check_names(where, listing.kept)
    _check_caps(where, listing.kept, limits,
                compressed=sum(e.zip_info.compress_size for e in listing.kept if e.zip_info))
    return listing


# -- folder listing ---------------------------------------------------------------------------
def _unreadable(where: str, rel: str, exc: OSError) -> InputRejected:
    return InputRejected(f"{where}: {_show(rel or '.')} cannot be read "
                         f"({exc.strerror or type(exc).__name__}), so the folder cannot be "
                         "graded.", rule="special-file")


def _list_folder(top: Path, where: str, limits: IntakeLimits) -> _Listing:
    """Walk `top` without following links (iteratively: depth cannot exhaust the stack)."""
    listing = _Listing()
    budget = _budget(limits)
    total = entries = 0
    stack: list[tuple[str, str]] = [("", os.fspath(top))]
    while stack:
        rel_dir, full_dir = stack.pop()
        try:
            with os.scandir(full_dir) as it:
                children = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            raise _unreadable(where, rel_dir, exc) from None
        for child in children:
            entries += 1
            if entries > limits.max_entries:
                raise _too_many_entries(where, f"more than {limits.max_entries:,}", limits)
            raw = f"{rel_dir}/{child.name}" if rel_dir else child.name
            name = _normalise(raw, where)
            try:
                st = child.stat(follow_symlinks=False)
            except OSError as exc:
                raise _unreadable(where, raw, exc) from None
            if stat.S_ISDIR(st.st_mode):
                inside = _listdir(child.path)
                if child.name in IGNORED_DIRS or (
                        VENV_MARKER in inside and MANIFEST_FILE not in inside):
                    listing.ignored.add(name)
                else:
                    stack.append((name, child.path))
                continue
            skip = _ignored_at(name, set())
            if skip is not None:
                listing.ignored.add(skip)
                continue
            _check_local_file(where, name, st)
            listing.kept.append(_Entry(name=name, size=st.st_size,
                                       executable=bool(st.st_mode & stat.S_IXUSR),
                                       path=Path(child.path)))
            total += st.st_size
            if len(listing.kept) > limits.max_files or total > budget:
                _check_caps(where, listing.kept, limits, compressed=None)
    _check_names(where, listing.kept)
    _check_caps(where, listing.kept, limits, compressed=None)
    return listing


def _listdir(path: str) -> set[str]:
    try:
        return set(os.listdir(path))
    except OSError:
        return set()


def _check_local_file(where: str, name: str, st: os.stat_result) -> None:
    """Refuse a folder entry that is a link, a special file or a hard link."""
    if stat.S_ISLNK(st.st_mode):
        raise InputRejected(f"{where}: {_show(name)} is a symbolic link, and links are not "
                            "accepted.", rule="link")
    if not stat.S_ISREG(st.st_mode):
        raise InputRejected(f"{where}: {_show(name)} is a special file (not a regular file or "
                            "folder), which is not accepted.", rule="special-file")
    if st.st_nlink > 1:
        raise InputRejected(f"{where}: {_show(name)} is a hard link shared with "
                            f"{st.st_nlink - 1} other name(s), and links are not accepted.",
                            rule="link")


# -- unpacking --------------------------------------------------------------------------------
def _common_folder(kept: list[_Entry]) -> str:
    """The single top-level folder every kept file lives under (with a trailing '/'), or ''."""
    tops = {e.name.split("/", 1)[0] for e in kept}
    if len(tops) == 1 and all("/" in e.name for e in kept):
        return next(iter(tops)) + "/"
    return ""


def _zip_chunks(zf: zipfile.ZipFile, entry: _Entry, where: str) -> Iterator[bytes]:
    assert entry.zip_info is not None
    try:
        with zf.open(entry.zip_info) as src:
            while chunk := src.read(_CHUNK):
                yield chunk
    except _ZIP_ERRORS as exc:
        raise InputRejected(f"{where}: entry {_show(entry.zip_info.orig_filename)} cannot be "
                            f"read because the archive is corrupt ({_first_line(exc)}).",
                            rule="not-a-zip") from None


def _file_chunks(entry: _Entry, where: str) -> Iterator[bytes]:
    assert entry.path is not None
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(entry.path, flags)
    except OSError as exc:
        raise _unreadable(where, entry.name, exc) from None
    with os.fdopen(fd, "rb") as src:
        _check_local_file(where, entry.name, os.fstat(fd))  # it may have changed since listing
        while True:
            try:
                chunk = src.read(_CHUNK)
            except OSError as exc:
                raise _unreadable(where, entry.name, exc) from None
            if not chunk:
                break
            yield chunk


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    return "".join("?" if _bad_char(ch) else ch for ch in line)[:160].rstrip(".")


def _make_folder(dest: Path, parts: list[str]) -> Path:
    """Create dest/parts... one level at a time, mode 0o755, refusing anything but folders."""
    here = dest
    for part in parts:
        here = here / part
        try:
            os.mkdir(here, 0o755)
            os.chmod(here, 0o755)  # whatever the umask
        except FileExistsError:
            if not stat.S_ISDIR(os.lstat(here).st_mode):
                raise
    return here


def _unpack(kept: list[_Entry], dest: Path, where: str, limits: IntakeLimits,
            read: Callable[[_Entry], Iterator[bytes]]) -> tuple[int, dict[str, str]]:
    """Write every kept file under dest, counting real bytes; returns (total, name -> sha256)."""
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} already holds files; give open_submission a fresh workdir")
    dest.mkdir(parents=True, exist_ok=True)
    os.chmod(dest, 0o755)
    dest_real = dest.resolve()
    budget = _budget(limits)
    total = 0
    hashes: dict[str, str] = {}
    create = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    for entry in kept:
        *folders, base = entry.name.split("/")
        target = dest.joinpath(*folders, base)
        if not target.resolve().is_relative_to(dest_real):  # belt and braces: names are checked
            raise InputRejected(f"{where}: entry {_show(entry.name)} would land outside the "
                                "submission folder (path traversal).", rule="path-traversal")
        try:
            parent = _make_folder(dest, folders)
            fd = os.open(parent / base, create, 0o600)
        except (FileExistsError, NotADirectoryError, IsADirectoryError):
            raise InputRejected(f"{where}: {_show(entry.name)} clashes with another entry of "
                                "the same name (names may differ only in case on this "
                                "filesystem), which is not accepted.",
                                rule="bad-filename") from None
        digest = hashlib.sha256()
        written = 0
        with os.fdopen(fd, "wb") as out:
            os.fchmod(fd, 0o755 if entry.executable else 0o644)
            for chunk in read(entry):
                written += len(chunk)
                total += len(chunk)
                if written > entry.size:
                    raise InputRejected(
                        f"{where}: entry {_show(entry.name)} holds more data than the "
                        f"{entry.size:,} bytes it declares, so its size cannot be trusted.",
                        rule="total-size")
                if total > budget:
                    raise InputRejected(f"{where} unpacks to more than the "
                                        f"{limits.max_total_mb:g} MiB total-size cap.",
                                        rule="total-size")
                digest.update(chunk)
                out.write(chunk)
        hashes[entry.name] = digest.hexdigest()
    return total, hashes


# -- manifest ---------------------------------------------------------------------------------
def _read_manifest(root: Path, where: str, files: list[str]) -> Manifest:
    if MANIFEST_FILE not in files:
        near = [f for f in files if f.rsplit("/", 1)[-1].lower() in (
            "submission.yaml", "submission.yml")]
        hint = (f" (found {_show(near[0])}, but the name is case-sensitive and the file must sit "
                "at the top level)") if near else ""
        raise InputRejected(f"{where} has no {MANIFEST_FILE} at its top level{hint}; add one "
                            "naming the challenge and the candidate (see "
                            "docs/submission-yaml.md).", rule="manifest-missing")
    with (root / MANIFEST_FILE).open("rb") as f:
        raw = f.read(MANIFEST_MAX_BYTES + 1)
    if len(raw) > MANIFEST_MAX_BYTES:
        raise InputRejected(f"{where}: {MANIFEST_FILE} is larger than the "
                            f"{MANIFEST_MAX_BYTES // 1024} KiB cap.", rule="manifest-invalid")
    try:
        data: Any = yaml.safe_load(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputRejected(f"{where}: {MANIFEST_FILE} is not UTF-8 text.",
                            rule="manifest-invalid") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = exc.problem or exc.context or "syntax error"
        raise InputRejected(f"{where}: {MANIFEST_FILE} is not valid YAML ({at}{problem}).",
                            rule="manifest-invalid") from None
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        raise InputRejected(f"{where}: {MANIFEST_FILE} is not valid YAML "
                            f"({_first_line(exc)}).", rule="manifest-invalid") from None
    return _validate_manifest(data, where)


def _validate_manifest(data: Any, where: str) -> Manifest:
    def bad(text: str) -> InputRejected:
        return InputRejected(f"{where}: {MANIFEST_FILE} {text}.", rule="manifest-invalid")

    def one_line(value: Any) -> bool:
        return isinstance(value, str) and bool(value.strip()) and not any(
            _bad_char(ch) for ch in value)

    if not isinstance(data, dict):
        got = "nothing" if data is None else f"a {type(data).__name__}"
        raise bad(f"must be a mapping with the keys challenge and candidate, not {got}")
    unknown = sorted(str(k) for k in data if k not in MANIFEST_KEYS)
    if unknown:
        raise bad(f"has unknown key {_show(unknown[0], 40)} (allowed keys: "
                  f"{', '.join(MANIFEST_KEYS)})")
    challenge = data.get("challenge")
    if not isinstance(challenge, str) or not ID_PATTERN.match(challenge.strip()):
        raise bad("needs 'challenge' as a challenge id (lowercase letters, digits, '-' and "
                  "'_', such as wordfreq)")
    candidate = data.get("candidate")
    if not one_line(candidate):
        raise bad("needs 'candidate' as a non-empty one-line string (a name or an email)")
    framework = data.get("framework")
    if framework is not None and not (one_line(framework) or framework == ""):
        raise bad("has 'framework' that is not a one-line string (such as fastapi)")
    commands = data.get("commands")
    commands = {} if commands is None else commands
    if not isinstance(commands, dict) or not all(
            one_line(k) and isinstance(v, str) and v.strip() and "\x00" not in v
            for k, v in commands.items()):
        raise bad("has 'commands' that is not a mapping of names to shell commands "
                  "(such as run: python main.py)")
    notes = data.get("notes")
    notes = "" if notes is None else notes
    if not isinstance(notes, str):
        raise bad("has 'notes' that is not a string")
    artifact = data.get("artifact")
    if artifact is not None:
        parts = PurePosixPath(str(artifact).strip()).parts if one_line(artifact) else ()
        if not parts or parts[0] == "/" or ".." in parts or "\\" in str(artifact):
            raise bad("has 'artifact' that is not a relative path inside the submission "
                      "(such as model/ or model.skops)")
        artifact = PurePosixPath(*parts).as_posix()
    return Manifest(challenge=challenge.strip(), candidate=candidate.strip(),
                    framework=framework.strip().lower() if framework else None,
                    commands=dict(commands), notes=notes, artifact=artifact)


# -- fingerprints -----------------------------------------------------------------------------
def _tree_fingerprint(hashes: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for rel in sorted(hashes):
        digest.update(f"{rel}\0{hashes[rel]}\0".encode())
    return digest.hexdigest()


def _hash_file(path: str | Path) -> str | None:
    """sha256 of a regular file (never following a link, never blocking on a FIFO)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                return None
            digest = hashlib.sha256()
            while chunk := f.read(MIB):
                digest.update(chunk)
            return digest.hexdigest()
    except OSError:
        return None


def _folder_records(top: Path) -> list[bytes]:
    """One record per entry under `top`: relative path, NUL, what it is, NUL. No links
    followed; unreadable entries are skipped."""
    records: list[bytes] = []
    stack = [(b"", os.fsencode(top))]
    while stack:
        rel_dir, full_dir = stack.pop()
        try:
            with os.scandir(full_dir) as it:
                children = list(it)
        except OSError:
            continue
        for child in children:
            rel = rel_dir + b"/" + child.name if rel_dir else child.name
            try:
                mode = child.stat(follow_symlinks=False).st_mode
                if stat.S_ISDIR(mode):
                    stack.append((rel, child.path))
                    what = b"dir"
                elif stat.S_ISLNK(mode):
                    what = b"link:" + os.readlink(child.path)
                elif stat.S_ISREG(mode):
                    file_hash = _hash_file(child.path)
                    if file_hash is None:
                        continue
                    what = file_hash.encode()
                else:
                    what = b"special:%o" % stat.S_IFMT(mode)
            except OSError:
                continue
            records.append(rel + b"\0" + what + b"\0")
    return sorted(records)


def source_fingerprint(path: Path) -> str:
    """sha256 of the raw input (the zip's bytes; for a folder, its sorted relative paths and
    their bytes, links not followed), for reports about refused input. Never raises: an
    unreadable entry is skipped, and an input that cannot be read at all (or is missing) is
    fingerprinted by its path string."""
    path = Path(path)
    by_name = hashlib.sha256(os.fsencode(path)).hexdigest()
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return by_name
    if stat.S_ISREG(mode):
        return _hash_file(path) or by_name
    if stat.S_ISDIR(mode):
        digest = hashlib.sha256()
        for record in _folder_records(path):
            digest.update(record)
        return digest.hexdigest()
    return by_name


def rejected_submission_id(path: Path) -> str:
    """'<slug of the file stem>-<source_fingerprint[:12]>', for a submission that was refused."""
    path = Path(path)
    return f"{_slug(_stem(path)) or 'submission'}-{source_fingerprint(path)[:12]}"


@contextmanager
def _open_zip(path: Path, where: str, limits: IntakeLimits) -> Iterator[zipfile.ZipFile]:
    """Open the archive once; its size and declared entry count are checked before parsing."""
    try:
        f = path.open("rb")
    except OSError as exc:
        raise InputRejected(f"{path} cannot be read ({exc.strerror or type(exc).__name__}).",
                            rule="not-found") from None
    with f, _parse_zip(f, where, limits) as zf:
        yield zf


def _parse_zip(f: IO[bytes], where: str, limits: IntakeLimits) -> zipfile.ZipFile:
    try:
        size = os.fstat(f.fileno()).st_size
        if size > limits.max_archive_mb * MIB:
            raise InputRejected(f"{where} is {size / MIB:,.1f} MiB, over the "
                                f"{limits.max_archive_mb:g} MiB archive-size cap.",
                                rule="archive-too-large")
        count = _declared_entry_count(f, size)
        if count is None and not zipfile.is_zipfile(f):
            raise InputRejected(f"{where} is not a zip archive.", rule="not-a-zip")
        if count is not None and count > limits.max_entries:
            raise _too_many_entries(where, f"{count:,}", limits)
        f.seek(0)
        return zipfile.ZipFile(f)
    except UnicodeDecodeError:
        raise InputRejected(f"{where} has an entry whose name is not valid UTF-8 although the "
                            "archive says it is.", rule="bad-filename") from None
    except _ZIP_ERRORS as exc:
        raise InputRejected(f"{where} is not a readable zip archive ({_first_line(exc)}).",
                            rule="not-a-zip") from None


# -- entry point ------------------------------------------------------------------------------
def open_submission(path: Path, workdir: Path,
                    limits: IntakeLimits = DEFAULT_LIMITS) -> Submission:
    """Unpack/copy the submission into workdir/'files' and read its manifest.

    Raises InputRejected (exit code 2) naming the rule that refused it. Nothing is ever written
    outside `workdir`; on refusal, workdir may hold a partial tree (the caller removes it).
    """
    path, workdir = Path(path), Path(workdir)
    where = _label(path)
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        raise InputRejected(f"{path} does not exist (or cannot be reached).",
                            rule="not-found") from None
    if stat.S_ISLNK(mode):
        raise InputRejected(f"{path} is a symbolic link; give the zip or folder itself.",
                            rule="link")
    dest = workdir / "files"
    read: Callable[[_Entry], Iterator[bytes]]
    with ExitStack() as stack:
        if stat.S_ISDIR(mode):
            if dest.resolve().is_relative_to(path.resolve()):
                raise ValueError(f"the workdir {workdir} must not be inside the submission")
            listing = _list_folder(path, where, limits)
            read = partial(_file_chunks, where=where)
        elif stat.S_ISREG(mode):
            zf = stack.enter_context(_open_zip(path, where, limits))
            listing = _list_zip(zf, where, limits)
            read = partial(_zip_chunks, zf, where=where)
        else:
            raise InputRejected(f"{path} is a special file, neither a zip archive nor a "
                                "folder.", rule="special-file")
        kept = listing.kept
        if not kept:
            clutter = f" besides ignored {', '.join(sorted(listing.ignored)[:3])}" if (
                listing.ignored) else ""
            raise InputRejected(f"{where} contains no files{clutter}.", rule="empty")
        prefix = _common_folder(kept)
        for entry in kept:
            entry.name = entry.name[len(prefix):]
        ignored = {i[len(prefix):] if prefix and i.startswith(prefix) else i
                   for i in listing.ignored}
        kept.sort(key=lambda e: e.name)
        total, hashes = _unpack(kept, dest, where, limits, read)
    files = [e.name for e in kept]
    manifest = _read_manifest(dest, where, files)
    sha = _tree_fingerprint(hashes)
    slug = _slug(manifest.candidate) or _slug(_stem(path)) or "submission"
    return Submission(id=f"{slug}-{sha[:12]}", source=path, root=dest, manifest=manifest,
                      sha256=sha, files=tuple(files), total_bytes=total,
                      ignored=tuple(sorted(ignored)))
