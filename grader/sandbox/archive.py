"""Files in and out of containers as tar archives, built and read in memory.

In: `build_tar` packs host files and bytes into a tar owned by the sandbox uid, for
`put_archive`. Out: `read_single_file` reads the tar stream that `get_archive` returns with a
byte cap, accepting only one regular file (no links, no devices, no directories, no extraction
to disk). Nothing the candidate's code wrote is ever unpacked onto the host filesystem.
"""

from __future__ import annotations

import io
import os
import tarfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path, PurePosixPath

SANDBOX_UID = 1000
SANDBOX_GID = 1000


class ArchiveRejected(Exception):
    """What came out of the container is not what was expected (a link, too big, ...)."""


def _safe_member_name(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError(f"unsafe path for the sandbox archive: {name!r}")
    return path.as_posix()


def build_tar(files: Mapping[str, bytes | Path]) -> bytes:
    """Pack `files` (relative path -> bytes, or a host file or folder) into an in-memory tar.

    Folders are added recursively without following links. Every entry is owned by the sandbox
    uid so the candidate's code can read and write its work dir.
    """
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        added_dirs: set[str] = set()

        def add_dir(name: str) -> None:
            parts = PurePosixPath(name).parts
            for i in range(1, len(parts) + 1):
                sub = "/".join(parts[:i])
                if sub in added_dirs:
                    continue
                info = tarfile.TarInfo(sub)
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                info.uid, info.gid = SANDBOX_UID, SANDBOX_GID
                tar.addfile(info)
                added_dirs.add(sub)

        def add_bytes(name: str, data: bytes, mode: int = 0o644) -> None:
            parent = str(PurePosixPath(name).parent)
            if parent != ".":
                add_dir(parent)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = mode
            info.uid, info.gid = SANDBOX_UID, SANDBOX_GID
            tar.addfile(info, io.BytesIO(data))

        for rel, source in sorted(files.items()):
            name = _safe_member_name(rel)
            if isinstance(source, bytes):
                add_bytes(name, source)
            elif source.is_dir():
                add_dir(name)
                for file in _walk_files(source):
                    sub = file.relative_to(source).as_posix()
                    mode = 0o755 if os.access(file, os.X_OK) else 0o644
                    add_bytes(f"{name}/{sub}", file.read_bytes(), mode)
            elif source.is_file() and not source.is_symlink():
                mode = 0o755 if os.access(source, os.X_OK) else 0o644
                add_bytes(name, source.read_bytes(), mode)
            else:
                raise ValueError(f"not a regular file or folder: {source}")
    return buf.getvalue()


def _walk_files(folder: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames.sort()
        for fname in sorted(filenames):
            path = Path(dirpath) / fname
            if path.is_file() and not path.is_symlink():
                yield path


class _CappedStream(io.RawIOBase):
    """A read-only file over an iterator of chunks that refuses to yield more than `cap` bytes."""

    def __init__(self, chunks: Iterable[bytes], cap: int) -> None:
        self._chunks = iter(chunks)
        self._buffer = b""
        self._read = 0
        self._cap = cap

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray) -> int:  # type: ignore[override]
        while not self._buffer:
            try:
                self._buffer = next(self._chunks)
            except StopIteration:
                return 0
        n = min(len(b), len(self._buffer))
        b[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        self._read += n
        if self._read > self._cap:
            raise ArchiveRejected(f"archive stream larger than {self._cap:,} bytes")
        return n


def read_single_file(chunks: Iterable[bytes], expected_name: str, max_bytes: int) -> bytes:
    """Read exactly one regular file named `expected_name` from a tar stream, at most max_bytes.

    Refuses links, devices, folders, extra members and anything larger than the cap, without
    writing anything to disk.
    """
    # A tar of one file: 512-byte header(s) + data padded to 512 + 1024 end blocks; pax headers
    # for long names add a few KiB.
    stream = io.BufferedReader(_CappedStream(chunks, max_bytes + 64 * 1024))  # type: ignore[type-var]
    try:
        with tarfile.open(fileobj=stream, mode="r|") as tar:
            data: bytes | None = None
            for count, member in enumerate(tar, start=1):
                if count > 1:
                    raise ArchiveRejected(f"{expected_name}: expected one file, found more")
                if member.name.rstrip("/").split("/")[-1] != expected_name:
                    raise ArchiveRejected(f"{expected_name}: unexpected entry {member.name!r}")
                if not member.isreg():
                    kind = ("a link" if member.issym() or member.islnk()
                            else "a folder" if member.isdir() else "not a regular file")
                    raise ArchiveRejected(f"{expected_name} is {kind}")
                if member.size > max_bytes:
                    raise ArchiveRejected(
                        f"{expected_name} is {member.size:,} bytes, over the {max_bytes:,} cap")
                extracted = tar.extractfile(member)
                if extracted is None:
                    raise ArchiveRejected(f"{expected_name} could not be read")
                data = extracted.read(max_bytes + 1)
                if len(data) > max_bytes:
                    raise ArchiveRejected(f"{expected_name} is over the {max_bytes:,} byte cap")
            if data is None:
                raise ArchiveRejected(f"{expected_name}: the archive was empty")
            return data
    except tarfile.TarError as exc:
        raise ArchiveRejected(f"{expected_name}: unreadable archive ({exc})") from None


def read_tree(chunks: Iterable[bytes], max_bytes: int) -> bytes:
    """The raw tar stream of a folder (get_archive of a directory), at most `max_bytes`; read
    it with `read_tar_files` (which refuses links and unsafe paths). ArchiveRejected over the
    cap."""
    stream = _CappedStream(chunks, max_bytes)
    out = bytearray()
    buffer = bytearray(64 * 1024)
    while True:
        try:
            n = stream.readinto(buffer)
        except ArchiveRejected:
            raise ArchiveRejected(f"the folder is over the {max_bytes:,} byte cap") from None
        if not n:
            return bytes(out)
        out += buffer[:n]


def read_tar_files(raw: bytes, cap: int) -> tuple[dict[str, bytes], str]:
    """The regular files of a tar a container wrote (e.g. a model artifact), in memory: no
    links, no special files, no absolute or `..` paths, at most `cap` bytes in all. Returns
    (files, "") or ({}, the problem in one sentence)."""
    files: dict[str, bytes] = {}
    total = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tar:
            for member in tar:
                path = PurePosixPath(member.name)
                if path.is_absolute() or ".." in path.parts:
                    return {}, f"it holds an unsafe path: {member.name[:200]}"
                if member.isdir():
                    continue
                if not member.isfile():
                    return {}, f"it holds a link or special file: {member.name[:200]}"
                total += member.size
                if total > cap:
                    return {}, (f"it is larger than the {cap / 2**20:g} MiB cap "
                                f"({total / 2**20:.1f} MiB and counting)")
                handle = tar.extractfile(member)
                files[path.as_posix()] = handle.read() if handle else b""
    except (tarfile.TarError, OSError) as exc:
        return {}, f"it could not be read back: {exc}"
    return files, ""
