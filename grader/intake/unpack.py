"""Writing the listed files under the work folder: one entry at a time, never following a link,
counting the real bytes against what each entry declared and against the total-size cap, and
hashing each file on the way."""

from __future__ import annotations

import hashlib
import os
import stat
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from grader.errors import InputRejected
from grader.intake.limits import IntakeLimits, _budget
from grader.intake.listing import _ZIP_ERRORS, _check_local_file, _Entry, _unreadable
from grader.intake.names import _first_line, _show

_CHUNK = 256 * 1024


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
