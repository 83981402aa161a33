"""Keeping challenge versions, and grading a submission against the version it was made on.

A version's snapshot (a zip kept in the store's database, grader/store.py) holds what
grading it needs: the challenge folder without its solutions (challenge.yaml, hidden tests,
data generators, images), the kit folder, and, when GRADER_SECRETS applies, the
installation's entry for the challenge with the files it names. It is kept whenever a kit is
built (`grader kit`) and whenever a submission is graded against the current version, so the
version every candidate received is there when an author changes the challenge in the middle
of a cohort.

At grading, `resolve` reads the submission's `kit_digest` / `kit_version` (submission.yaml,
written by `grader kit`) and gives the challenge to grade against:

- the current one when the submission names it (by digest, or by a label the lock ties to
  the current kit: grader/versions.py);
- the kept snapshot of the version it names, loaded with the current run's overrides, and a
  sentence naming both versions and what changed in the kit;
- the current one, marked *unknown*, when the submission names no version or one this store
  does not keep: checks that compare the candidate's saved outputs with a fresh run are then
  not run (`Resolved.unknown`, the reason), and no red flag rests on a version difference.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import yaml

from grader.challenge import Challenge, load_challenge
from grader.errors import ChallengeConfigError
from grader.intake.manifest import Manifest
from grader.report.model import Message
from grader.secrets import secrets_folder, secrets_for
from grader.store import Store
from grader.versions import (
    KitVersion,
    changed_files,
    current_version,
    describe_change,
    kit_files,
    kit_folder,
    locked_versions,
)

if TYPE_CHECKING:
    from grader.intake import Submission

_SKIP_NAMES = {"__pycache__", ".pytest_cache", ".venv", ".ruff_cache", ".ipynb_checkpoints",
               "solutions"}
_SNAPSHOT_CAP = 256 * 1024 * 1024     # what a snapshot may unpack to (grader wrote it)


@dataclass(frozen=True)
class Resolved:
    """The challenge a submission is graded against, and what the report says about it."""

    challenge: Challenge
    used: KitVersion | None          # None: the challenge has no kit (nothing to tell apart)
    current: KitVersion | None
    #: Why the kit the submission was made on is unknown (None: it is known): checks that
    #: compare the candidate's saved outputs with a fresh run are not run, for this reason.
    unknown: str | None = None
    note: str = ""                   # a sentence for the report (which version, what changed)


# -- snapshots ---------------------------------------------------------------------------------
def _add_folder(zf: zipfile.ZipFile, folder: Path, prefix: str, skip: set[str]) -> None:
    for rel, path in kit_files(folder, skip).items():
        zf.write(path, f"{prefix}/{rel}")


def _named_paths(value: Any, folder: Path) -> list[Path]:
    """Paths inside `folder` that a secrets entry names (relative strings that exist)."""
    if isinstance(value, dict):
        return [p for v in value.values() for p in _named_paths(v, folder)]
    if isinstance(value, list):
        return [p for v in value for p in _named_paths(v, folder)]
    if isinstance(value, str) and value and not value.startswith("/") and len(value) < 300:
        path = (folder / value).resolve()
        if path.exists() and path.is_relative_to(folder.resolve()):
            return [path]
    return []


def snapshot(challenge: Challenge) -> bytes:
    """The zip of everything grading this version needs (see the module's docstring)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        _add_folder(zf, challenge.root, "challenge", _SKIP_NAMES)
        kit = kit_folder(challenge)
        if kit is not None:
            _add_folder(zf, kit, "kit", _SKIP_NAMES - {"solutions"})
        entry, folder = secrets_for(challenge.id) if secrets_folder() else ({}, None)
        if entry and folder is not None:
            zf.writestr("secrets/entry.yaml", yaml.safe_dump(entry))
            for path in _named_paths(entry, folder):
                rel = path.relative_to(folder.resolve()).as_posix()
                if path.is_dir():
                    _add_folder(zf, path, f"secrets/files/{rel}", _SKIP_NAMES)
                else:
                    zf.write(path, f"secrets/files/{rel}")
    return buffer.getvalue()


def keep(store: Store | None, challenge: Challenge, version: KitVersion | None,
         kept_at: str) -> None:
    """Keep the snapshot of `version` (the challenge's current one) unless it is kept."""
    if store is None or version is None:
        return
    if any(digest == version.digest for _, digest, _, _ in store.kept_versions(challenge.id)):
        return
    store.keep_version(challenge.id, version.label, version.digest, version.files,
                       snapshot(challenge), kept_at)


def _unpack(data: bytes, dest: Path, name: str) -> list[str]:
    """Unpack a snapshot (grader wrote it; still bounded, and no path leaves `dest`); the
    names of its entries."""
    total = 0
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        for info in zf.infolist():
            parts = PurePosixPath(info.filename).parts
            if info.is_dir() or not parts or parts[0] == "/" or ".." in parts:
                continue
            total += info.file_size
            if total > _SNAPSHOT_CAP:
                raise ChallengeConfigError(f"{name}: unpacks to more than "
                                           f"{_SNAPSHOT_CAP // 2**20} MiB")
            target = dest.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zf.read(info))
    return names


def load_kept(store: Store, current: Challenge, version: KitVersion, workdir: Path) -> Challenge:
    """The kept version, unpacked into `workdir` and loaded with the current overrides (the
    kit lands in starter_kits/<id>/ beside it, where grader.kit looks)."""
    dest = workdir / f"version-{version.digest[:12]}"
    data = store.version_snapshot(current.id, version.digest)
    if data is None:
        raise ChallengeConfigError(f"the store keeps no snapshot of {current.id} version "
                                   f"{version.name}")
    names = _unpack(data, dest / "unpacked", f"the snapshot of {current.id} {version.name}")
    unpacked = dest / "unpacked"
    root = dest / "challenges" / current.id
    root.parent.mkdir(parents=True, exist_ok=True)
    os.replace(unpacked / "challenge", root)
    if (unpacked / "kit").is_dir():
        (dest / "starter_kits").mkdir(exist_ok=True)
        os.replace(unpacked / "kit", dest / "starter_kits" / current.id)
    secrets: tuple[dict[str, Any], Path | None] = ({}, None)
    if "secrets/entry.yaml" in names:
        entry = yaml.safe_load((unpacked / "secrets" / "entry.yaml").read_text()) or {}
        files = unpacked / "secrets" / "files"
        files.mkdir(parents=True, exist_ok=True)
        secrets = (entry if isinstance(entry, dict) else {}, files.resolve())
    return load_challenge(root, current.overrides, secrets=secrets)


# -- resolving a submission's version ----------------------------------------------------------
def _kept(store: Store | None, challenge: str, digest: str | None,
          label: str | None) -> KitVersion | None:
    if store is None:
        return None
    kept = store.kept_versions(challenge)
    for kept_label, kept_digest, _, files in reversed(kept):  # newest first
        if (digest and kept_digest.startswith(digest)) or (not digest and kept_label == label):
            return KitVersion(challenge, kept_label, kept_digest, files)
    return None


def resolve(challenge: Challenge, manifest: Manifest, store: Store | None, workdir: Path,
            kept_at: str) -> Resolved:
    """The challenge to grade `manifest`'s submission against (see the module's docstring).
    Keeps the current version in the store as a side effect."""
    current = current_version(challenge)
    if current is None:
        return Resolved(challenge, None, None)
    keep(store, challenge, current, kept_at)
    digest, label = manifest.kit_digest, manifest.kit_version
    if (digest and current.digest.startswith(digest)) or (not digest and label == current.label):
        return Resolved(challenge, current, current,
                        note=f"graded against version {current.name}, the current one, "
                             "which the submission names")
    unknown_tail = (f": graded against the current version {current.name}; the checks that "
                    "compare the submission's saved outputs with a fresh run are not run, "
                    "since the kit it was made on may have had other data")
    if not digest and not label:
        why = ("submission.yaml does not say which kit it was made on (no kit_version, which "
               "`grader kit` writes)")
        return Resolved(challenge, current, current, unknown=why, note=why + unknown_tail)
    named = f"version {label or '?'}" + (f" (kit {digest[:12]})" if digest else "")
    old = _kept(store, challenge.id, digest, label)
    if old is None:
        where = ("the lock names it, but this store does not keep its files"
                 if label in locked_versions(challenge) else "this store does not keep it")
        why = f"submission.yaml names {named}, and {where}"
        return Resolved(challenge, current, current, unknown=why, note=why + unknown_tail)
    try:
        graded = load_kept(store, challenge, old, workdir) if store is not None else challenge
    except (ChallengeConfigError, OSError, zipfile.BadZipFile, yaml.YAMLError) as exc:
        # e.g. its challenge.yaml names a check this grader no longer has
        why = f"submission.yaml names {named}, kept in this store but not loadable now ({exc})"
        return Resolved(challenge, current, current, unknown=why[:600],
                        note=why[:600] + unknown_tail)
    changed = changed_files(old, current)
    return Resolved(graded, old, current,
                    note=f"graded against version {old.name}, the kit this candidate was "
                         f"given; the current version is {current.name} (in the kit, "
                         f"{describe_change(changed)} differ; hidden material may differ too)")


def edited_kit_data(root: Path, files: tuple[str, ...], version: KitVersion) -> list[str]:
    """The submission's files under `data/` whose path is a kit data file's (in any variant)
    and whose bytes are none of that version's: data the candidate edited."""
    import hashlib

    kit_data: dict[str, set[str]] = {}
    for rel, digest in version.files.items():
        inner = rel.split("/", 1)[1] if "/" in rel else rel   # common/data/x -> data/x
        if inner.startswith("data/"):
            kit_data.setdefault(inner, set()).add(digest)
    return [rel for rel in files if rel in kit_data
            and hashlib.sha256((root / rel).read_bytes()).hexdigest() not in kit_data[rel]]


def version_messages(submission: Submission, resolved: Resolved) -> list[Message]:
    """Which challenge version was graded against, and data the candidate edited."""
    if resolved.used is None:
        return []
    out = [Message(level="warning" if resolved.unknown else "info", text=resolved.note,
                   rule="kit-version")]
    if resolved.unknown is None:
        edited = edited_kit_data(submission.root, submission.files, resolved.used)
        if edited:
            out.append(Message(level="warning", rule="kit-data-edited", text=(
                f"{', '.join(edited[:6])} differ{'s' if len(edited) == 1 else ''} from the "
                f"kit's data of version {resolved.used.name}: the candidate edited the data "
                "they were given (the grading used the kit's own copy)")))
    return out
