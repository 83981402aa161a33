"""The intake's entry point: open_submission lists a zip or folder, unpacks the kept files into
the work folder (one top folder stripped), reads the manifest and returns a Submission."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from grader.errors import InputRejected
from grader.intake.fingerprint import _tree_fingerprint
from grader.intake.limits import DEFAULT_LIMITS, IntakeLimits
from grader.intake.listing import _Entry, _list_folder, _list_zip, _open_zip
from grader.intake.manifest import Manifest, _read_manifest
from grader.intake.names import _common_folder, _label, _slug, _stem
from grader.intake.unpack import _file_chunks, _unpack, _zip_chunks


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
        prefix = _common_folder([e.name for e in kept])
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
