"""Role profiles: the specialization, the pinned framework and the seniority level a report's
recommendation is made for (docs/profile-yaml.md).

A profile is YAML, loaded through the same typed loader as challenge.yaml (grader/typed.py:
unknown keys and wrong types refused with the file and the dotted key), and checked against
its challenge: the criteria it weighs must be the challenge's rubric ids, the questions it
puts first the challenge's review question ids. Each bundled challenge ships one per level in
`challenges/<id>/profiles/<level>.yaml`; `grader run --profile NAME|FILE` finds a name there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

from grader import typed
from grader.challenge import Challenge
from grader.errors import ChallengeConfigError
from grader.review.build import review_config
from grader.typed import spec

Level = Literal["junior", "mid", "senior"]
LEVELS: tuple[Level, ...] = ("junior", "mid", "senior")
PROFILES_DIR = "profiles"


def _percent(value: float) -> bool:
    return 0 <= value <= 100


@dataclass(frozen=True)
class Band:
    """Where the profile-weighted score must land: at least `advance` to be advanced to the
    call, at least `borderline` to be discussed; below, not advanced."""

    advance: float = spec(check=_percent, expected="a percent from 0 to 100")
    borderline: float = spec(check=_percent, expected="a percent from 0 to 100")


@dataclass(frozen=True)
class Profile:
    """One role: which challenge, framework(s) and level, and how the report is weighed."""

    id: str = spec(doc="the profile's name, shown in reports")
    challenge: str = spec(doc="the challenge id this profile is for")
    level: Level = spec(doc="junior, mid or senior")
    band: Band = spec(doc="the pass band of the profile-weighted score")
    title: str = spec("", doc="the role as a hiring team names it")
    #: Pinned framework(s): a submission written in another one gets a red flag and a question
    #: first, and is not advanced; the score is not lowered. Empty: any the challenge accepts.
    frameworks: list[str] = spec(default_factory=list, doc="pinned framework(s), lowercase")
    #: criterion id -> weight (default 1 for scored criteria, 0 for bonus ones): what weighs
    #: more or less at this level. 0 leaves a criterion out; a bonus criterion weighed above 0
    #: counts like any other.
    weights: dict[str, float] = spec(default_factory=dict,
                                     check=lambda w: all(v >= 0 for v in w.values()),
                                     expected="weights of 0 or more")
    green_flags_target: int = spec(7, check=lambda n: n >= 0,
                                   expected="a number of green flags (0 or more)")
    #: The most red flags a submission may carry and still be advanced (None: no limit): a
    #: senior's work is expected to raise none.
    max_red_flags: int | None = spec(None, check=lambda n: n is None or n >= 0,
                                     expected="a number of red flags (0 or more), or null")
    #: review question ids to put first on the call sheet, in this order.
    questions_first: list[str] = spec(default_factory=list)
    #: why this level weighs what it weighs (shown in docs, not in reports)
    notes: str = ""


def load_profile(path: Path, challenge: Challenge | None = None) -> Profile:
    """Load and check one profile file; ChallengeConfigError naming the file and the key."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ChallengeConfigError(f"{path}: cannot be read as YAML: {exc}") from None
    try:
        profile = typed.load(Profile, data)
    except typed.ShapeError as exc:
        raise ChallengeConfigError(f"{path}: {exc.describe()}") from None
    if profile.band.borderline > profile.band.advance:
        raise ChallengeConfigError(f"{path}: key 'band': expected borderline at most advance")
    if challenge is not None:
        _check_against(path, profile, challenge)
    return profile


def _check_against(path: Path, profile: Profile, challenge: Challenge) -> None:
    if profile.challenge != challenge.id:
        raise ChallengeConfigError(f"{path}: key 'challenge': expected '{challenge.id}', got "
                                   f"'{profile.challenge}'")
    criteria = {c.id for c in challenge.rubric if not c.manual}
    for cid in profile.weights:
        if cid not in criteria:
            ids = ", ".join(sorted(criteria))
            raise ChallengeConfigError(f"{path}: key 'weights.{cid}': expected a rubric "
                                       f"criterion of {challenge.id} ({ids})")
    _, questions = review_config(challenge.root)
    known = {str(q["id"]) for q in questions}
    for qid in profile.questions_first:
        if qid not in known:
            raise ChallengeConfigError(f"{path}: key 'questions_first': '{qid}' is not a "
                                       f"review question of {challenge.id}")


def challenge_profiles(challenge: Challenge) -> dict[str, Profile]:
    """The profiles a challenge ships, by file stem (`junior`, `mid`, `senior`, ...)."""
    folder = challenge.root / PROFILES_DIR
    if not folder.is_dir():
        return {}
    return {p.stem: load_profile(p, challenge) for p in sorted(folder.glob("*.yaml"))}


def find_profile(ref: str, challenge: Challenge) -> Profile:
    """`ref` as a file, else as a profile name of the challenge (its file stem or its id)."""
    path = Path(ref)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return load_profile(path, challenge)
    shipped = challenge_profiles(challenge)
    for stem, profile in shipped.items():
        if ref in (stem, profile.id):
            return profile
    names = ", ".join(sorted(shipped)) or "none"
    raise ChallengeConfigError(f"no profile '{ref}' for challenge {challenge.id}: not a YAML "
                               f"file, and not one of its profiles ({names})")
