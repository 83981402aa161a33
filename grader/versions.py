"""Challenge versions: which kit a submission was made on, and the lock that keeps a version's
name tied to one kit.

A version is named by the author's `version` string in challenge.yaml (the label: "1", "2",
"2024-06") and identified by the digest of everything the candidate receives: every file of
`starter_kits/<id>/`, all variants (the public data, the task, the contract, the starter
code). `grader kit` writes both into the kit's submission.yaml (`kit_version`, `kit_digest`),
so a submission says which kit its candidate had.

`challenges/<id>/versions.yaml` (written by `grader versions lock`) records the digest each
label stands for, with the kit's files, so a label never names two kits: `grader validate`
refuses a kit that changed while the label stayed (naming the files). What the grader needs
to grade an older version later (the challenge folder with its hidden material, the kit, the
installation's secrets of that version) is kept in the local store (grader/version_store.py).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from grader.challenge import Challenge
from grader.errors import ChallengeConfigError

LOCK_FILE = "versions.yaml"
_SKIP_NAMES = frozenset({"__pycache__", ".pytest_cache", ".venv", ".ruff_cache",
                         ".ipynb_checkpoints"})
_LOCK_HEADER = """\
# Each version label of this challenge and the kit it stands for (grader/versions.py), written
# by `grader versions lock`. A label names one kit for good: when anything the candidate
# receives changes (starter_kits/<id>/), give challenge.yaml a new `version` and lock it again.
"""


@dataclass(frozen=True)
class KitVersion:
    """One version of a challenge's kit: the author's label and the digest of its files."""

    challenge: str
    label: str
    digest: str                                      # sha256 hex over `files`
    files: dict[str, str] = field(default_factory=dict, compare=False)  # path -> sha256

    @property
    def name(self) -> str:
        """How reports name it: `1 (kit 3f2a9c1b5d7e)`."""
        return f"{self.label} (kit {self.digest[:12]})"


def kits_root(challenge: Challenge) -> Path:
    """starter_kits/<id>/: beside the challenges folder (where a kept version unpacks its
    own: grader/version_store.py), under GRADER_KITS_PATH, or in the working directory;
    ChallengeConfigError when there is none."""
    env = os.environ.get("GRADER_KITS_PATH")
    candidates = [challenge.root.parent.parent / "starter_kits"]
    candidates += [Path(env)] if env else []
    candidates.append(Path.cwd() / "starter_kits")
    for root in candidates:
        if (root / challenge.id).is_dir():
            return root / challenge.id
    raise ChallengeConfigError(
        f"no starter kit for challenge '{challenge.id}': expected a folder starter_kits/"
        f"{challenge.id}/ (or set GRADER_KITS_PATH)")


def kit_folder(challenge: Challenge) -> Path | None:
    """The challenge's kit folder (kits_root), None when it has none."""
    try:
        return kits_root(challenge)
    except ChallengeConfigError:
        return None


def kit_files(folder: Path, skip: frozenset[str] | set[str] = _SKIP_NAMES) -> dict[str, Path]:
    """path (relative, POSIX) -> file, for every regular file under `folder` (folders named
    in `skip` (caches by default), compiled files and links left out), in a stable order."""
    found: dict[str, Path] = {}
    if not folder.is_dir():
        return found
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in skip)
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if name.endswith(".pyc") or path.is_symlink() or not path.is_file():
                continue
            found[path.relative_to(folder).as_posix()] = path
    return found


def folder_digests(folder: Path) -> dict[str, str]:
    """path -> sha256 of every file kit_files lists."""
    return {rel: hashlib.sha256(path.read_bytes()).hexdigest()
            for rel, path in kit_files(folder).items()}


def digest_of(files: dict[str, str]) -> str:
    """The version digest of a kit's file list (paths and contents, order-free)."""
    text = "".join(f"{rel}\0{files[rel]}\n" for rel in sorted(files))
    return hashlib.sha256(text.encode()).hexdigest()


def current_version(challenge: Challenge) -> KitVersion | None:
    """The version the challenge's files make now; None when it has no kit."""
    folder = kit_folder(challenge)
    if folder is None:
        return None
    files = folder_digests(folder)
    return KitVersion(challenge.id, challenge.version, digest_of(files), files)


def changed_files(old: KitVersion, new: KitVersion) -> list[str]:
    """The kit files that differ between two versions: changed, added or removed."""
    names = sorted(set(old.files) | set(new.files))
    return [n for n in names if old.files.get(n) != new.files.get(n)]


def describe_change(files: list[str], limit: int = 6) -> str:
    """`data/orders.csv, README.md and 3 more`."""
    if not files:
        return "no kit file"
    shown = ", ".join(files[:limit])
    return shown + (f" and {len(files) - limit} more" if len(files) > limit else "")


# -- the lock: one kit per label ---------------------------------------------------------------
def lock_path(challenge: Challenge) -> Path:
    return challenge.root / LOCK_FILE


def locked_versions(challenge: Challenge) -> dict[str, KitVersion]:
    """label -> the locked version, from versions.yaml ({} when the file does not exist)."""
    path = lock_path(challenge)
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ChallengeConfigError(f"{path}: is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ChallengeConfigError(f"{path}: expected a mapping of version label -> kit")
    out: dict[str, KitVersion] = {}
    for label, entry in data.items():
        files = entry.get("files") if isinstance(entry, dict) else None
        digest = entry.get("digest") if isinstance(entry, dict) else None
        if not (isinstance(files, dict) and isinstance(digest, str)
                and all(isinstance(k, str) and isinstance(v, str) for k, v in files.items())):
            raise ChallengeConfigError(f"{path}: key '{label}': expected {{digest, files}} "
                                       "as `grader versions lock` writes it")
        out[str(label)] = KitVersion(challenge.id, str(label), digest, dict(files))
    return out


def lock_problems(challenge: Challenge) -> list[str]:
    """What is wrong with the lock: the kit changed under a label that names another kit, or
    the current label is not locked. [] when the challenge has no kit, or all is well."""
    current = current_version(challenge)
    if current is None:
        return []
    locked = locked_versions(challenge).get(current.label)
    if locked is None:
        return [f"version '{current.label}' of challenge {challenge.id} is not locked in "
                f"{lock_path(challenge)}: run `grader versions lock {challenge.root}`"]
    if locked.digest != current.digest:
        changed = changed_files(locked, current)
        return [f"the kit of challenge {challenge.id} changed ({describe_change(changed)}) "
                f"but challenge.yaml's version is still '{current.label}', which names the "
                "kit candidates already have: give `version` a new value, then run "
                f"`grader versions lock {challenge.root}`"]
    return []


def lock_version(challenge: Challenge) -> tuple[KitVersion, bool]:
    """Record the current version in versions.yaml; (version, whether it was new).
    ChallengeConfigError when its label already names another kit."""
    current = current_version(challenge)
    if current is None:
        raise ChallengeConfigError(f"challenge {challenge.id} has no starter kit: there is no "
                                   "version to lock")
    problems = [p for p in lock_problems(challenge) if "is not locked" not in p]
    if problems:
        raise ChallengeConfigError(problems[0])
    locked = locked_versions(challenge)
    if current.label in locked:
        return current, False
    data: dict[str, Any] = {label: {"digest": v.digest, "files": v.files}
                            for label, v in locked.items()}
    data[current.label] = {"digest": current.digest, "files": current.files}
    text = _LOCK_HEADER + yaml.safe_dump(data, sort_keys=False, width=100)
    tmp = lock_path(challenge).with_suffix(".yaml.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, lock_path(challenge))
    return current, True
