"""Peeking at the challenge a submission names, before the full intake, so the caller can pick
that challenge's intake limits first.

Only `submission.yaml` is read (at most MANIFEST_MAX_BYTES of it), found where the full intake
would find it: at the top, or inside the single top folder every kept file lives under. Nothing
is extracted or written, no link is followed, and no cap of any challenge is applied (they are
not known yet). A peek never raises: anything odd gives None, and the full intake then refuses
the submission under its proper rule.
"""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path
from typing import Any

import yaml

from grader.intake.listing import _READABLE_METHODS, _declared_entry_count
from grader.intake.manifest import ID_PATTERN, MANIFEST_MAX_BYTES
from grader.intake.names import (
    IGNORED_DIRS,
    MANIFEST_FILE,
    VENV_MARKER,
    _common_folder,
    _ignored_at,
    _normalise,
    _venv_dirs,
)

# A peek gives up (None) past this many entries: a zip's declared entry count, or the entries
# walked in a folder to find its single top folder. Ten times the default entry cap.
PEEK_MAX_ENTRIES = 200_000

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | _CLOEXEC
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | _CLOEXEC


class _GiveUp(Exception):
    """The peek cannot tell (too many entries to look through)."""


def peek_challenge_id(path: Path) -> str | None:
    """The `challenge` of the submission zip or folder at `path` if it is a valid challenge id,
    else None (no manifest where the intake looks, unreadable or broken input, a manifest over
    the size cap, bad YAML, a challenge that is not an id string). Never raises."""
    try:
        raw = _manifest_bytes(Path(path))
        return None if raw is None else _challenge_in(raw)
    except Exception:  # whatever went wrong, the full intake reports it under its own rule
        return None


def _manifest_bytes(path: Path) -> bytes | None:
    mode = os.lstat(path).st_mode
    if stat.S_ISDIR(mode):
        return _folder_manifest(path)
    if stat.S_ISREG(mode):
        return _zip_manifest(path)
    return None  # a link or a special file: the intake refuses it


def _challenge_in(raw: bytes) -> str | None:
    if len(raw) > MANIFEST_MAX_BYTES:
        return None
    data: Any = yaml.safe_load(raw.decode("utf-8-sig"))
    if not isinstance(data, dict):
        return None
    challenge = data.get("challenge")
    if isinstance(challenge, str) and ID_PATTERN.match(challenge.strip()):
        return challenge.strip()
    return None


# -- zip --------------------------------------------------------------------------------------
def _zip_manifest(path: Path) -> bytes | None:
    """The first MANIFEST_MAX_BYTES + 1 bytes of the manifest entry, read from the archive."""
    fd = os.open(path, _FILE_FLAGS)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        count = _declared_entry_count(f, os.fstat(fd).st_size)
        if count is None or count > PEEK_MAX_ENTRIES:
            return None
        f.seek(0)
        with zipfile.ZipFile(f) as zf:
            infos = zf.infolist()
            if len(infos) > PEEK_MAX_ENTRIES:
                return None
            named = [(info, _normalise(info.orig_filename, "peek")) for info in infos]
            venv_dirs = _venv_dirs([name for _, name in named])
            kept = [(info, name) for info, name in named
                    if name and _ignored_at(name, venv_dirs) is None and not _is_folder(info)]
            wanted = _common_folder([name for _, name in kept]) + MANIFEST_FILE
            found = [info for info, name in kept if name == wanted]
            if len(found) != 1:
                return None
            info = found[0]
            if (stat.S_IFMT(info.external_attr >> 16) not in (0, stat.S_IFREG)
                    or info.flag_bits & 0x1 or info.compress_type not in _READABLE_METHODS
                    or info.file_size > MANIFEST_MAX_BYTES):
                return None
            with zf.open(info) as src:
                return src.read(MANIFEST_MAX_BYTES + 1)


def _is_folder(info: zipfile.ZipInfo) -> bool:
    return info.is_dir() or stat.S_IFMT(info.external_attr >> 16) == stat.S_IFDIR


# -- folder -----------------------------------------------------------------------------------
def _folder_manifest(top: Path) -> bytes | None:
    """The manifest at the top of `top`, or in its single top folder, read without following
    links (each folder on the way is opened with O_NOFOLLOW)."""
    top_fd = os.open(top, _DIR_FLAGS)
    try:
        folder = _single_top_folder(top)
        if folder is None:
            return _read_manifest_at(top_fd)
        sub_fd = os.open(folder, _DIR_FLAGS, dir_fd=top_fd)
        try:
            return _read_manifest_at(sub_fd)
        finally:
            os.close(sub_fd)
    finally:
        os.close(top_fd)


def _read_manifest_at(dir_fd: int) -> bytes | None:
    fd = os.open(MANIFEST_FILE, _FILE_FLAGS, dir_fd=dir_fd)  # a link fails here (ELOOP)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return f.read(MANIFEST_MAX_BYTES + 1)


def _single_top_folder(top: Path) -> str | None:
    """The name of the one top-level folder that holds every kept file (the intake strips it),
    or None when kept files sit at the top or under several folders."""
    budget = [PEEK_MAX_ENTRIES]
    folders: list[os.DirEntry[str]] = []
    for child in _children(top, budget):
        if stat.S_ISDIR(child.stat(follow_symlinks=False).st_mode):
            if not _ignored_folder(child):
                folders.append(child)
        elif _ignored_at(child.name, set()) is None:
            return None  # a kept file at the top: nothing is stripped
    if len(folders) > 1:
        folders = [f for f in folders if _holds_kept_file(f.path, budget)]
    return folders[0].name if len(folders) == 1 else None


def _holds_kept_file(folder: str, budget: list[int]) -> bool:
    """Whether a kept (not ignored) file lies anywhere under `folder`; links not followed."""
    stack = [folder]
    while stack:
        for child in _children(stack.pop(), budget):
            if stat.S_ISDIR(child.stat(follow_symlinks=False).st_mode):
                if not _ignored_folder(child):
                    stack.append(child.path)
            elif _ignored_at(child.name, set()) is None:
                return True
    return False


def _ignored_folder(child: os.DirEntry[str]) -> bool:
    """The intake's rule: a clutter folder, or a virtualenv that is not a project."""
    if child.name in IGNORED_DIRS:
        return True
    try:
        inside = set(os.listdir(child.path))
    except OSError:
        inside = set()
    return VENV_MARKER in inside and MANIFEST_FILE not in inside


def _children(folder: str | Path, budget: list[int]) -> list[os.DirEntry[str]]:
    """The entries of `folder`, counted against the shared budget (_GiveUp past it)."""
    children: list[os.DirEntry[str]] = []
    with os.scandir(folder) as it:
        for child in it:
            budget[0] -= 1
            if budget[0] < 0:
                raise _GiveUp
            children.append(child)
    return children
