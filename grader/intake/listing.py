"""Listing a submission before anything is written: the entries of a zip (opened once, its size
and declared entry count checked before it is parsed) or of a folder (walked without following
links), each entry's name and kind checked, clutter set aside, and the caps checked on the
declared sizes."""

from __future__ import annotations

import lzma
import os
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from grader.errors import InputRejected
from grader.intake.limits import MIB, IntakeLimits, _budget, _check_caps, _too_many_entries
from grader.intake.names import (
    IGNORED_DIRS,
    MANIFEST_FILE,
    VENV_MARKER,
    _first_line,
    _ignored_at,
    _normalise,
    _show,
    _venv_dirs,
)

_READABLE_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2,
                               zipfile.ZIP_LZMA})
# Errors zipfile and its decompressors raise on corrupt or hostile archives.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, NotImplementedError,
               struct.error, OSError, ValueError)


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
