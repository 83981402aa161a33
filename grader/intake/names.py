"""Entry names: normalising and checking an archive or folder entry's name, telling clutter
(`.git`, virtualenvs, `__pycache__`, ...) from kept files, and showing names in messages."""

from __future__ import annotations

import posixpath
import re
import unicodedata
from pathlib import Path

from grader.errors import InputRejected

MANIFEST_FILE = "submission.yaml"

MAX_NAME_BYTES = 255  # one path component (the usual filesystem limit)
MAX_PATH_BYTES = 1024  # a whole relative path

IGNORED_DIRS = frozenset({
    "__MACOSX", ".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv", "venv",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints", ".tox",
})
IGNORED_FILES = frozenset({".DS_Store"})
IGNORED_SUFFIXES = (".pyc", ".pyo")
VENV_MARKER = "pyvenv.cfg"  # a folder holding this file is a virtualenv: ignored whole

_DRIVE = re.compile(r"^[A-Za-z]:")


def _show(name: str, limit: int = 80) -> str:
    """A name quoted for a message: control characters escaped, long names shortened."""
    text = repr(name)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def _bad_char(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cs")  # control characters (NUL too), surrogates


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    return "".join("?" if _bad_char(ch) else ch for ch in line)[:160].rstrip(".")


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


def _common_folder(names: list[str]) -> str:
    """The single top-level folder every kept file lives under (with a trailing '/'), or ''."""
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) == 1 and all("/" in name for name in names):
        return next(iter(tops)) + "/"
    return ""


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
