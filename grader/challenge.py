"""Challenge configuration: load and validate `challenge.yaml`, and find challenges by id.

A challenge is data: a folder with challenge.yaml, the Dockerfiles of its images, hidden
material and solutions. Everything grader needs to know about it is validated here, on load,
and every error names the file, the key and what was expected (ChallengeConfigError).

Schema (docs/challenge-yaml.md has the long form):

    id: toy-wordfreq            # [a-z0-9][a-z0-9-]*, unique among challenges
    track: io                   # a registered track (grader.tracks)
    title: Word frequencies
    time_budget_minutes: 30
    grading_seconds: 300        # the most one submission's grading may take (all its runs)
    images:                     # name -> Dockerfile (relative to the challenge folder)
      runtime: {dockerfile: image/Dockerfile, context: image}
    limits: {memory_mb: 512, cpus: 1.0, pids: 128, timeout_seconds: 30, output_kb: 256,
             tmpfs_mb: 64}
    intake: {max_total_mb: 50, max_files: 2000, max_ratio: 100, max_archive_mb: 100}
    rubric:
      - {id: correctness, title: Correct output, points: 60, checks: ["case.*"]}
      - {id: explain, title: Explain-your-code call, points: 10, manual: true}
    track_config: {...}         # the track's typed configuration (its config class)

The track named by `track` is looked up in the registry (grader/registry.py) and its config
dataclass loads `track_config` here, once (grader/typed.py: wrong types and unknown keys are
refused with the key named). The track also says which images it runs (each must be declared
under `images`) and which check ids it can produce (a rubric pattern that matches none of them
is refused: a typo would otherwise score 0 silently).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from grader import typed
from grader.challenge_parts import (
    ID_PATTERN,
    Cap,
    Criterion,
    ImageSpec,
    Reader,
    check_patterns,
    check_rubric_matches,
    load_caps,
    load_images,
    load_intake,
    load_limits,
    load_rubric,
    positive,
)
from grader.errors import ChallengeConfigError
from grader.intake.limits import IntakeLimits
from grader.registry import get_track, known_tracks
from grader.sandbox.engine import BuildSpec
from grader.sandbox.limits import Limits
from grader.secrets import secrets_for

CHALLENGE_FILE = "challenge.yaml"


@dataclass(frozen=True)
class Challenge:
    id: str
    track: str
    title: str
    root: Path
    time_budget_minutes: int
    images: dict[str, ImageSpec]
    limits: Limits
    intake: IntakeLimits
    rubric: tuple[Criterion, ...]
    #: The track's typed configuration: an instance of the track's `config_class`, loaded from
    #: `track_config` (its dataclass defaults are the only defaults).
    config: Any = None
    caps: tuple[Cap, ...] = ()
    #: The most one submission's grading may take, all its sandbox runs together: runs are
    #: cut to what is left, and none starts once it is spent (reported). Image builds and
    #: the host's own work are not counted.
    grading_seconds: float = 900.0
    version: str = "1"
    description: str = ""
    #: What load_challenge merged into the YAML (tests' short timeouts): an older version of
    #: the challenge (grader/version_store.py) is loaded with the same.
    overrides: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def config_file(self) -> Path:
        return self.root / CHALLENGE_FILE

    def image_spec(self, role: str) -> BuildSpec:
        """The build of image `role` (a key of `images:`), tagged `<challenge id>-<role>`."""
        spec = self.images[role]
        return BuildSpec(name=f"{self.id}-{role}", dockerfile=spec.dockerfile,
                         context=spec.context)

    def image_specs(self) -> list[BuildSpec]:
        """Every image the challenge declares (built by `grader images build`)."""
        return [self.image_spec(role) for role in self.images]


TOP_LEVEL_KEYS = {"id", "track", "title", "version", "description", "time_budget_minutes",
                  "grading_seconds",
                  "images", "limits", "intake", "rubric", "caps", "track_config"}


def _merge(base: Any, overrides: Mapping[str, Any]) -> Any:
    """`base` (YAML data) with `overrides` merged in, nested mappings key by key."""
    if not isinstance(base, dict):
        return dict(overrides)
    merged = dict(base)
    for key, value in overrides.items():
        merged[key] = (_merge(merged.get(key), value) if isinstance(value, Mapping)
                       and isinstance(merged.get(key), dict) else value)
    return merged


def load_challenge(path: Path | str, overrides: Mapping[str, Any] | None = None,
                   secrets: tuple[dict[str, Any], Path | None] | None = None) -> Challenge:
    """Load and validate a challenge from its folder (or its challenge.yaml).

    overrides: values merged into the YAML before validation (nested mappings key by key),
    e.g. `{"track_config": {"train_timeout_seconds": 10}}`; the tests use it to run
    production challenges with short timeouts. They are validated like the file itself.
    secrets: (this challenge's entry, its folder) instead of GRADER_SECRETS' (an older
    version of the challenge brings the secrets it was graded with).
    """
    path = Path(path)
    root = path.parent if path.name == CHALLENGE_FILE else path
    file = root / CHALLENGE_FILE
    if not file.is_file():
        raise ChallengeConfigError(
            f"{file}: not found: a challenge folder needs a {CHALLENGE_FILE}")
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ChallengeConfigError(f"{file}: is not valid YAML: {exc}") from None
    secret_root: Path | None = None
    if isinstance(data, dict) and isinstance(data.get("id"), str):
        secret, secret_root = secrets if secrets is not None else secrets_for(data["id"])
        if secret:
            data = _merge(data, secret)
    if overrides:
        data = _merge(data, overrides)
    r = Reader(file, data)
    r.unknown_keys(TOP_LEVEL_KEYS)
    challenge_id = r.get("id", str, "an id matching [a-z0-9][a-z0-9_-]*",
                         check=ID_PATTERN.match)
    title = r.get("title", str, "a short title")
    tracks = known_tracks()
    track_name = r.get("track", str, f"one of {', '.join(sorted(tracks))}",
                       check=lambda v: v in tracks)
    version = str(r.get("version", (str, int), "a version string", "1"))
    description = r.get("description", str, "a string", "")
    budget = r.get("time_budget_minutes", int, "a positive integer (minutes)", 120, positive)
    grading = float(r.get("grading_seconds", (int, float), "a positive number of seconds",
                          900, positive))
    images = load_images(r.child("images", None), root.resolve())
    limits = load_limits(r.child("limits", None))
    intake = load_intake(r.child("intake", None))
    rubric = load_rubric(file, data.get("rubric"))
    caps = load_caps(file, data.get("caps"), rubric)
    raw_config = r.get("track_config", dict, "a mapping", {})
    track = get_track(track_name)
    config = load_track_config(file, track.config_class, raw_config, root.resolve(),
                               secret_root)
    for role in track.images(config):
        if role not in images:
            raise ChallengeConfigError(
                f"{file}: key 'images.{role}': expected the {track_name} track's "
                f"'{role}' image (a Dockerfile)")
    known = [*track.check_ids(config), *track.shared_static]
    check_rubric_matches(file, rubric, known)
    check_patterns(file, "caps", [(i, c.checks) for i, c in enumerate(caps)], known)
    return Challenge(id=challenge_id, track=track_name, title=title, root=root.resolve(),
                     version=version, description=description, time_budget_minutes=budget,
                     grading_seconds=grading,
                     images=images, limits=limits, intake=intake, rubric=rubric,
                     config=config, caps=caps, overrides=dict(overrides or {}))


def load_track_config(file: Path, config_class: type, raw: Any, root: Path,
                      secret_root: Path | None = None) -> Any:
    """`track_config` as an instance of the track's config class; ChallengeConfigError naming
    the file and the key otherwise. Paths may lie in the challenge folder or, when
    GRADER_SECRETS is set, in the secrets folder (where relative ones are looked up first)."""
    try:
        return typed.load(config_class, raw, context=typed.Context(
            root=root, also=(secret_root,) if secret_root else ()))
    except typed.ShapeError as exc:
        raise ChallengeConfigError(f"{file}: {exc.within('track_config').describe()}") from None


def track_config_error(challenge: Challenge, key: str, expected: str) -> ChallengeConfigError:
    """The error a track raises for a bad `track_config` key (file, key, what was expected)."""
    return ChallengeConfigError(
        f"{challenge.config_file}: key 'track_config.{key}': expected {expected}")


def challenge_search_path() -> list[Path]:
    """Folders searched for challenges by id: $GRADER_CHALLENGES_PATH (os.pathsep-separated),
    then ./challenges, then the challenges/ folder beside the grader package (source checkout)."""
    paths: list[Path] = []
    env = os.environ.get("GRADER_CHALLENGES_PATH", "")
    paths += [Path(p) for p in env.split(os.pathsep) if p]
    paths.append(Path.cwd() / "challenges")
    paths.append(Path(__file__).resolve().parent.parent / "challenges")
    unique: list[Path] = []
    for p in paths:
        if p.resolve() not in [u.resolve() for u in unique]:
            unique.append(p)
    return unique


def find_challenge(ref: str, allow_path: bool = True) -> Challenge:
    """Resolve `ref` as a folder path first (when allow_path), then as a challenge id on the
    search path. A submission.yaml's `challenge` is looked up by id only: a candidate must not
    be able to point grading at a folder of their choosing."""
    as_path = Path(ref)
    if allow_path and as_path.exists():
        return load_challenge(as_path)
    for folder in challenge_search_path():
        if not folder.is_dir():
            continue
        for candidate in sorted(folder.iterdir()):
            file = candidate / CHALLENGE_FILE
            if file.is_file():
                try:
                    data = yaml.safe_load(file.read_text(encoding="utf-8"))
                except yaml.YAMLError:
                    continue
                if isinstance(data, dict) and data.get("id") == ref:
                    return load_challenge(candidate)
    searched = ", ".join(str(p) for p in challenge_search_path())
    raise ChallengeConfigError(
        f"challenge '{ref}' not found: not a folder, and no challenge with that id in {searched} "
        "(set GRADER_CHALLENGES_PATH or pass --challenge DIR)")
