"""The challenges an opening can be made for, as the pages show them: each challenge on the
search path (grader/challenge.py) with its title, description, kits (the frameworks a
candidate can be pinned to), the role profiles it ships (issue 25) and its upload cap; and
the kit's README, the candidate's instructions. Loaded challenges are kept while their
challenge.yaml is unchanged (the pages ask on every request)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from grader.challenge import Challenge, challenge_search_path, find_challenge, load_challenge
from grader.errors import ChallengeConfigError

README_CAP = 256 * 1024
_LOCK = threading.Lock()
_LOADED: dict[tuple[str, float], Challenge] = {}


@dataclass(frozen=True)
class ChallengeEntry:
    """A challenge as the opening form offers it."""

    id: str
    title: str
    kits: tuple[str, ...]            # the kit variants (frameworks); () when it has no kit
    profiles: dict[str, str]         # profile name (file stem) -> its title
    max_upload_bytes: int


def _load(folder: Path) -> Challenge:
    file = folder / "challenge.yaml"
    key = (str(folder.resolve()), file.stat().st_mtime)
    with _LOCK:
        found = _LOADED.get(key)
    if found is None:
        found = load_challenge(folder)
        with _LOCK:
            _LOADED[key] = found
    return found


def _folders() -> dict[str, Path]:
    """challenge id -> its folder, over the search path (the first found wins, as
    find_challenge does)."""
    import yaml

    found: dict[str, Path] = {}
    for folder in challenge_search_path():
        if not folder.is_dir():
            continue
        for candidate in sorted(folder.iterdir()):
            file = candidate / "challenge.yaml"
            if not file.is_file():
                continue
            try:
                data = yaml.safe_load(file.read_text(encoding="utf-8"))
            except (yaml.YAMLError, OSError, UnicodeDecodeError):
                continue
            if isinstance(data, dict) and isinstance(data.get("id"), str):
                found.setdefault(data["id"], candidate)
    return found


def challenge(challenge_id: str) -> Challenge:
    """A challenge by id (never by path: an opening names a challenge, not a folder);
    ChallengeConfigError when there is none or it does not load."""
    folder = _folders().get(challenge_id)
    if folder is None:
        return find_challenge(challenge_id, allow_path=False)   # raises, saying where it looked
    return _load(folder)


def kits(chal: Challenge) -> tuple[str, ...]:
    from grader.kit import variants
    from grader.versions import kit_folder

    return tuple(variants(chal)) if kit_folder(chal) is not None else ()


def profiles(chal: Challenge) -> dict[str, str]:
    """The role profiles a challenge ships: name -> title ({} when it ships none, or when one
    does not load: the opening form then offers no profile rather than failing)."""
    from grader.profiles import challenge_profiles

    try:
        return {name: p.title or p.id for name, p in challenge_profiles(chal).items()}
    except ChallengeConfigError:
        return {}


def entry(chal: Challenge) -> ChallengeEntry:
    return ChallengeEntry(id=chal.id, title=chal.title, kits=kits(chal),
                          profiles=profiles(chal),
                          max_upload_bytes=int(chal.intake.max_archive_mb * 1024 * 1024))


def available() -> list[ChallengeEntry]:
    """Every challenge on the search path that loads, by id."""
    out = []
    for folder in _folders().values():
        try:
            out.append(entry(_load(folder)))
        except (ChallengeConfigError, OSError):
            continue
    return sorted(out, key=lambda e: e.id)


def kit_readme(chal: Challenge, variant: str) -> str:
    """The README of the kit the candidate downloads (the variant's over the common one),
    '' when there is none."""
    from grader.kit import COMMON
    from grader.versions import kit_folder

    root = kit_folder(chal)
    if root is None:
        return ""
    for folder in ([root / variant] if variant else []) + [root / COMMON]:
        path = folder / "README.md"
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as f:
                return f.read(README_CAP).decode("utf-8", "replace")
    return ""
