"""sha256 fingerprints: of an unpacked tree (the Submission's id and sha256, equal for a zip and
a folder alike) and of the raw input (for reports about refused input)."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from grader.intake.limits import MIB
from grader.intake.names import _slug, _stem


def _tree_fingerprint(hashes: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for rel in sorted(hashes):
        digest.update(f"{rel}\0{hashes[rel]}\0".encode())
    return digest.hexdigest()


def _hash_file(path: str | bytes | Path) -> str | None:
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
