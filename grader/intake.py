"""Intake: turn a submission (.zip or folder) into a safely unpacked file tree and a manifest.

The submission is hostile. Nothing is extracted with `extractall`; every entry is checked
before a byte is written: no path traversal, no absolute paths, no links or special files, no
encrypted entries, caps on archive size, total size, file count and compression ratio (checked
on the declared sizes first, then again on the bytes actually read). Clutter (`.git`,
virtualenvs, `__pycache__`, `__MACOSX`, `node_modules`, ...) is skipped unread. A single
top-level folder is stripped. `submission.yaml` is read with `yaml.safe_load` and validated.
Every refusal is an InputRejected with one sentence and a rule id (docs/submission-yaml.md).
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from grader.challenge import IntakeLimits
from grader.errors import InputRejected

MANIFEST_FILE = "submission.yaml"
MANIFEST_MAX_BYTES = 64 * 1024
MIB = 1024 * 1024
_RATIO_FLOOR_BYTES = MIB  # ratios are judged only past this much data
_CHUNK = 64 * 1024

IGNORED_DIRS = {"__MACOSX", ".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv",
                "venv", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints",
                ".tox", ".idea", ".vscode"}
IGNORED_FILES = {".DS_Store", "Thumbs.db"}
IGNORED_SUFFIXES = (".pyc", ".pyo")
MANIFEST_KEYS = {"challenge", "candidate", "framework", "commands", "notes"}


@dataclass(frozen=True)
class Manifest:
    challenge: str
    candidate: str
    framework: str | None = None
    commands: dict[str, str] = field(default_factory=dict)
    notes: str = ""


@dataclass(frozen=True)
class Submission:
    id: str
    source: Path
    root: Path
    manifest: Manifest
    sha256: str
    files: tuple[str, ...]
    total_bytes: int
    ignored: tuple[str, ...]


@dataclass
class _Entry:
    """One kept regular file: its normalised name and how to read it."""

    name: str
    size: int
    executable: bool
    zip_info: zipfile.ZipInfo | None = None
    path: Path | None = None


# -- names ------------------------------------------------------------------------------------
def _check_name(raw: str, where: str) -> str:
    """Normalise an entry name to a relative posix path, or refuse it."""
    if "\x00" in raw or any(unicodedata.category(ch) == "Cc" for ch in raw):
        raise InputRejected(f"{where}: entry {raw!r} has control characters in its name.",
                            rule="bad-filename")
    if raw.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", raw):
        raise InputRejected(f"{where}: entry {raw!r} is an absolute path.", rule="absolute-path")
    if "\\" in raw:
        raise InputRejected(f"{where}: entry {raw!r} has a backslash in its name.",
                            rule="bad-filename")
    parts = [p for p in raw.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise InputRejected(f"{where}: entry {raw!r} climbs out of the submission folder "
                            "(path traversal).", rule="path-traversal")
    return "/".join(parts)


def _ignored_prefix(name: str, venv_dirs: set[str]) -> str | None:
    """The ignored folder (or file) `name` falls under, or None to keep it."""
    parts = PurePosixPath(name).parts
    for i, part in enumerate(parts[:-1]):
        prefix = "/".join(parts[: i + 1])
        if part in IGNORED_DIRS or prefix in venv_dirs:
            return prefix
    base = parts[-1] if parts else ""
    if base in IGNORED_FILES or base.endswith(IGNORED_SUFFIXES):
        return name
    return None


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:40].strip("-") or "submission"


# -- listing ----------------------------------------------------------------------------------
def _zip_entries(path: Path, limits: IntakeLimits) -> tuple[list[_Entry], list[str]]:
    size = path.stat().st_size
    if size > limits.max_archive_mb * MIB:
        raise InputRejected(f"{path.name} is {size / MIB:.1f} MiB, over the "
                            f"{limits.max_archive_mb:g} MiB archive cap.", rule="archive-too-large")
    if not zipfile.is_zipfile(path):
        raise InputRejected(f"{path.name} is not a zip archive.", rule="not-a-zip")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputRejected(f"{path.name} is not a readable zip archive ({exc}).",
                            rule="not-a-zip") from None
    if len(infos) > limits.max_entries:
        raise InputRejected(f"{path.name} has {len(infos):,} entries, over the "
                            f"{limits.max_entries:,} entry cap.", rule="file-count")
    venv_dirs = {str(PurePosixPath(_check_name(i.filename, path.name)).parent)
                 for i in infos if PurePosixPath(i.filename).name == "pyvenv.cfg"}
    kept: list[_Entry] = []
    ignored: set[str] = set()
    for info in infos:
        name = _check_name(info.filename, path.name)
        mode = info.external_attr >> 16
        kind = stat.S_IFMT(mode)
        if kind == stat.S_IFLNK:
            raise InputRejected(f"{path.name}: entry {info.filename!r} is a symbolic link; "
                                "links are not accepted.", rule="link")
        if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
            raise InputRejected(f"{path.name}: entry {info.filename!r} is not a regular file "
                                "or folder.", rule="special-file")
        if info.flag_bits & 0x1:
            raise InputRejected(f"{path.name}: entry {info.filename!r} is encrypted.",
                                rule="encrypted")
        if not name or info.is_dir() or kind == stat.S_IFDIR:
            continue
        skip = _ignored_prefix(name, venv_dirs)
        if skip is not None:
            ignored.add(skip)
            continue
        kept.append(_Entry(name=name, size=info.file_size, executable=bool(mode & 0o100),
                           zip_info=info))
    compressed = sum(e.zip_info.compress_size for e in kept if e.zip_info)
    _check_totals(path.name, kept, limits, compressed)
    return kept, sorted(ignored)


def _folder_entries(path: Path, limits: IntakeLimits) -> tuple[list[_Entry], list[str]]:
    kept: list[_Entry] = []
    ignored: set[str] = set()
    seen = 0
    for dirpath, dirnames, filenames in os.walk(path, followlinks=False):
        here = Path(dirpath)
        rel_dir = here.relative_to(path).as_posix()
        rel_dir = "" if rel_dir == "." else rel_dir
        keep_dirs = []
        for d in sorted(dirnames):
            full = here / d
            rel = f"{rel_dir}/{d}" if rel_dir else d
            if full.is_symlink():
                raise InputRejected(f"{path.name}: {rel} is a symbolic link; links are not "
                                    "accepted.", rule="link")
            if d in IGNORED_DIRS or (full / "pyvenv.cfg").is_file():
                ignored.add(rel)
                continue
            keep_dirs.append(d)
        dirnames[:] = keep_dirs
        for fname in sorted(filenames):
            seen += 1
            if seen > limits.max_entries:
                raise InputRejected(f"{path.name} has more than {limits.max_entries:,} "
                                    "entries.", rule="file-count")
            full = here / fname
            rel = _check_name(f"{rel_dir}/{fname}" if rel_dir else fname, path.name)
            st = full.lstat()
            if stat.S_ISLNK(st.st_mode):
                raise InputRejected(f"{path.name}: {rel} is a symbolic link; links are not "
                                    "accepted.", rule="link")
            if not stat.S_ISREG(st.st_mode):
                raise InputRejected(f"{path.name}: {rel} is not a regular file or folder.",
                                    rule="special-file")
            if _ignored_prefix(rel, set()) is not None:
                ignored.add(rel)
                continue
            kept.append(_Entry(name=rel, size=st.st_size, executable=bool(st.st_mode & 0o100),
                               path=full))
            if len(kept) > limits.max_files:
                break
    _check_totals(path.name, kept, limits, compressed=None)
    return kept, sorted(ignored)


def _check_totals(where: str, kept: list[_Entry], limits: IntakeLimits,
                  compressed: int | None) -> None:
    if len(kept) > limits.max_files:
        raise InputRejected(f"{where} has more than {limits.max_files:,} files "
                            f"(cap {limits.max_files:,}).", rule="file-count")
    names = [e.name for e in kept]
    if len(set(names)) != len(names):
        seen: set[str] = set()
        dup = next(n for n in names if n in seen or seen.add(n))  # type: ignore[func-returns-value]
        raise InputRejected(f"{where}: {dup!r} appears more than once.", rule="bad-filename")
    total = sum(e.size for e in kept)
    if total > limits.max_total_mb * MIB:
        raise InputRejected(f"{where} unpacks to {total / MIB:.1f} MiB, over the "
                            f"{limits.max_total_mb:g} MiB cap.", rule="total-size")
    if compressed is not None:
        if total > _RATIO_FLOOR_BYTES and total / max(compressed, 1) > limits.max_ratio:
            raise InputRejected(
                f"{where} expands {total / max(compressed, 1):,.0f} times on unpacking, over "
                f"the {limits.max_ratio:g}x compression-ratio cap (a zip bomb?).",
                rule="compression-ratio")
        for e in kept:
            info = e.zip_info
            if info and e.size > _RATIO_FLOOR_BYTES and \
                    e.size / max(info.compress_size, 1) > limits.max_ratio:
                raise InputRejected(
                    f"{where}: entry {e.name!r} expands {e.size / max(info.compress_size, 1):,.0f}"
                    f" times, over the {limits.max_ratio:g}x compression-ratio cap.",
                    rule="compression-ratio")


# -- unpacking --------------------------------------------------------------------------------
def _strip_prefix(kept: list[_Entry]) -> str:
    """The single top-level folder all entries share, or ''."""
    firsts = {PurePosixPath(e.name).parts[0] for e in kept}
    if len(firsts) == 1 and all(len(PurePosixPath(e.name).parts) > 1 for e in kept):
        return next(iter(firsts)) + "/"
    return ""


def _chunks(entry: _Entry, zf: zipfile.ZipFile | None) -> Iterator[bytes]:
    if entry.zip_info is not None and zf is not None:
        with zf.open(entry.zip_info) as src:
            while chunk := src.read(_CHUNK):
                yield chunk
    elif entry.path is not None:
        with entry.path.open("rb") as src:
            while chunk := src.read(_CHUNK):
                yield chunk


def _unpack(source: Path, kept: list[_Entry], dest: Path, limits: IntakeLimits) -> int:
    dest.mkdir(parents=True)
    dest_resolved = dest.resolve()
    budget = int(limits.max_total_mb * MIB)
    written_total = 0
    zf = zipfile.ZipFile(source) if source.is_file() else None
    try:
        for entry in kept:
            target = dest / entry.name
            if not target.resolve().is_relative_to(dest_resolved):  # belt and braces
                raise InputRejected(f"{source.name}: entry {entry.name!r} would land outside "
                                    "the submission folder.", rule="path-traversal")
            target.parent.mkdir(parents=True, exist_ok=True)
            written = 0
            with target.open("xb") as out:
                for chunk in _chunks(entry, zf):
                    written += len(chunk)
                    written_total += len(chunk)
                    if written > entry.size or written_total > budget:
                        raise InputRejected(
                            f"{source.name}: entry {entry.name!r} holds more data than it "
                            f"declares, or the total passes the {limits.max_total_mb:g} MiB "
                            "cap.", rule="total-size")
                    out.write(chunk)
            os.chmod(target, 0o755 if entry.executable else 0o644)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise InputRejected(f"{source.name} is corrupt ({exc}).", rule="not-a-zip") from None
    except FileExistsError as exc:
        raise InputRejected(f"{source.name}: {exc.filename} appears more than once.",
                            rule="bad-filename") from None
    finally:
        if zf is not None:
            zf.close()
    return written_total


# -- manifest ---------------------------------------------------------------------------------
def _read_manifest(root: Path, where: str) -> Manifest:
    path = root / MANIFEST_FILE
    if not path.is_file():
        raise InputRejected(f"{where} has no {MANIFEST_FILE} at its top level; add one naming "
                            "the challenge and the candidate (see docs/submission-yaml.md).",
                            rule="manifest-missing")
    raw = path.read_bytes()
    if len(raw) > MANIFEST_MAX_BYTES:
        raise InputRejected(f"{where}: {MANIFEST_FILE} is larger than "
                            f"{MANIFEST_MAX_BYTES // 1024} KiB.", rule="manifest-invalid")
    try:
        data: Any = yaml.safe_load(raw.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputRejected(f"{where}: {MANIFEST_FILE} is not valid YAML ({first}).",
                            rule="manifest-invalid") from None

    def bad(text: str) -> InputRejected:
        return InputRejected(f"{where}: {MANIFEST_FILE} {text}.", rule="manifest-invalid")

    if not isinstance(data, dict):
        raise bad("must be a mapping with the keys challenge and candidate")
    unknown = sorted(str(k) for k in set(data) - MANIFEST_KEYS)
    if unknown:
        raise bad(f"has unknown key '{unknown[0]}' (allowed: {', '.join(sorted(MANIFEST_KEYS))})")
    for key in ("challenge", "candidate"):
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise bad(f"needs '{key}' as a non-empty string")
    framework = data.get("framework")
    if framework is not None and not isinstance(framework, str):
        raise bad("has 'framework' that is not a string")
    commands = data.get("commands") or {}
    if not isinstance(commands, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v.strip()
            for k, v in commands.items()):
        raise bad("has 'commands' that is not a mapping of names to shell commands")
    notes = data.get("notes") or ""
    if not isinstance(notes, str):
        raise bad("has 'notes' that is not a string")
    return Manifest(challenge=data["challenge"].strip(), candidate=data["candidate"].strip(),
                    framework=framework.strip().lower() if framework else None,
                    commands=dict(commands), notes=notes)


# -- fingerprints -----------------------------------------------------------------------------
def _tree_fingerprint(root: Path, files: list[str]) -> str:
    digest = hashlib.sha256()
    for rel in files:
        file_hash = hashlib.sha256((root / rel).read_bytes()).hexdigest()
        digest.update(f"{rel}\0{file_hash}\0".encode())
    return digest.hexdigest()


def source_fingerprint(path: Path) -> str:
    """sha256 of the raw input, for reports about input that was refused."""
    digest = hashlib.sha256()
    try:
        if path.is_file():
            with path.open("rb") as f:
                while chunk := f.read(MIB):
                    digest.update(chunk)
        elif path.is_dir():
            for dirpath, dirnames, filenames in os.walk(path, followlinks=False):
                dirnames.sort()
                for fname in sorted(filenames):
                    full = Path(dirpath) / fname
                    digest.update(full.relative_to(path).as_posix().encode() + b"\0")
                    if full.is_file() and not full.is_symlink():
                        with full.open("rb") as f:
                            while chunk := f.read(MIB):
                                digest.update(chunk)
        else:
            digest.update(str(path).encode())
    except OSError:
        digest.update(str(path).encode())
    return digest.hexdigest()


def rejected_submission_id(path: Path) -> str:
    stem = path.name[:-4] if path.name.lower().endswith(".zip") else path.name
    return f"{_slug(stem)}-{source_fingerprint(path)[:12]}"


# -- entry point ------------------------------------------------------------------------------
def open_submission(path: Path, workdir: Path,
                    limits: IntakeLimits | None = None) -> Submission:
    """Unpack/copy the submission into workdir/'files' and read its manifest.

    Raises InputRejected (exit code 2) naming the rule that refused it.
    """
    limits = limits or IntakeLimits()
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        raise InputRejected(f"{path} does not exist.", rule="not-found")
    if path.is_symlink():
        raise InputRejected(f"{path} is a symbolic link; give the file or folder itself.",
                            rule="link")
    if path.is_dir():
        kept, ignored = _folder_entries(path, limits)
    elif path.is_file():
        kept, ignored = _zip_entries(path, limits)
    else:
        raise InputRejected(f"{path} is neither a zip archive nor a folder.",
                            rule="special-file")
    if not kept:
        raise InputRejected(f"{path.name} contains no files.", rule="empty")

    prefix = _strip_prefix(kept)
    if prefix:
        for entry in kept:
            entry.name = entry.name[len(prefix):]
        ignored = [i[len(prefix):] if i.startswith(prefix) else i for i in ignored]
    kept.sort(key=lambda e: e.name)

    root = workdir / "files"
    total = _unpack(path, kept, root, limits)
    manifest = _read_manifest(root, path.name)
    files = [e.name for e in kept]
    sha = _tree_fingerprint(root, files)
    return Submission(id=f"{_slug(manifest.candidate)}-{sha[:12]}", source=path, root=root,
                      manifest=manifest, sha256=sha, files=tuple(files), total_bytes=total,
                      ignored=tuple(sorted(set(ignored))))
