"""Challenge configuration: load and validate `challenge.yaml`, and find challenges by id.

A challenge is data: a folder with challenge.yaml, the Dockerfiles of its images, hidden
material and solutions. Everything grader needs to know about it is validated here, on load,
and every error names the file, the key and what was expected (ChallengeConfigError).

Schema (docs/challenge-yaml.md has the long form):

    id: toy-wordfreq            # [a-z0-9][a-z0-9-]*, unique among challenges
    track: io                   # a registered track (grader.tracks)
    title: Word frequencies
    time_budget_minutes: 30
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
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml

from grader import typed
from grader.errors import ChallengeConfigError
from grader.intake.limits import IntakeLimits
from grader.registry import get_track, known_tracks
from grader.sandbox.engine import BuildSpec
from grader.sandbox.limits import Limits

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
CHALLENGE_FILE = "challenge.yaml"


@dataclass(frozen=True)
class ImageSpec:
    """An image the challenge needs: a Dockerfile and its build context."""

    name: str
    dockerfile: Path
    context: Path


@dataclass(frozen=True)
class Criterion:
    """One rubric line: `points` earned in proportion to the credit of the checks it matches.

    checks: check ids or shell-style globs (fnmatch). manual: filled in by the reviewer later,
    reported as pending. bonus: reported beside the total (bonus_points), never added to it.
    """

    id: str
    title: str
    points: float
    checks: tuple[str, ...] = ()
    manual: bool = False
    bonus: bool = False
    description: str = ""


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
    version: str = "1"
    description: str = ""

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


class _Reader:
    """Typed access to a YAML mapping that reports errors as file + dotted key + expectation."""

    def __init__(self, file: Path, data: Any, prefix: str = "") -> None:
        self.file = file
        self.prefix = prefix
        if not isinstance(data, dict):
            raise self.error("", "a mapping", data)
        self.data: dict[str, Any] = data

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}" if name else self.prefix.rstrip(".") or "(top level)"

    def error(self, name: str, expected: str, got: Any = ...) -> ChallengeConfigError:
        got_text = "" if got is ... else f", got {got!r}"[:120]
        return ChallengeConfigError(
            f"{self.file}: key '{self.key(name)}': expected {expected}{got_text}")

    def has(self, name: str) -> bool:
        return name in self.data

    def get(self, name: str, kind: type | tuple[type, ...], expected: str,
            default: Any = ..., check: Any = None) -> Any:
        if name not in self.data:
            if default is ...:
                raise ChallengeConfigError(
                    f"{self.file}: key '{self.key(name)}' is missing: expected {expected}")
            return default
        value = self.data[name]
        if isinstance(value, bool) and kind is not bool and bool not in (
                kind if isinstance(kind, tuple) else (kind,)):
            raise self.error(name, expected, value)
        if not isinstance(value, kind) or (check is not None and not check(value)):
            raise self.error(name, expected, value)
        return value

    def child(self, name: str, default: Any = ...) -> _Reader:
        value = self.data.get(name, {} if default is not ... else None)
        if name not in self.data and default is ...:
            raise ChallengeConfigError(
                f"{self.file}: key '{self.key(name)}' is missing: expected a mapping")
        return _Reader(self.file, value, f"{self.prefix}{name}.")

    def unknown_keys(self, allowed: set[str]) -> None:
        extra = sorted(set(self.data) - allowed)
        if extra:
            raise ChallengeConfigError(
                f"{self.file}: key '{self.key(extra[0])}' is not known: expected one of "
                f"{', '.join(sorted(allowed))}")


def _positive(v: Any) -> bool:
    return v > 0


def _load_limits(r: _Reader) -> Limits:
    r.unknown_keys({"memory_mb", "cpus", "pids", "timeout_seconds", "output_kb", "tmpfs_mb"})
    d = Limits()
    return Limits(
        memory_mb=r.get("memory_mb", int, "a positive integer (MiB)", d.memory_mb, _positive),
        cpus=float(r.get("cpus", (int, float), "a positive number of CPUs", d.cpus, _positive)),
        pids=r.get("pids", int, "a positive integer", d.pids, _positive),
        timeout_seconds=float(r.get("timeout_seconds", (int, float), "a positive number of seconds",
                                    d.timeout_seconds, _positive)),
        output_kb=r.get("output_kb", int, "a positive integer (KiB)", d.output_kb, _positive),
        tmpfs_mb=r.get("tmpfs_mb", int, "a positive integer (MiB)", d.tmpfs_mb, _positive),
    )


def _load_intake(r: _Reader) -> IntakeLimits:
    r.unknown_keys({"max_archive_mb", "max_total_mb", "max_files", "max_ratio", "max_entries"})
    d = IntakeLimits()
    num = (int, float)
    return IntakeLimits(
        max_archive_mb=float(r.get("max_archive_mb", num, "a positive number (MiB)",
                                   d.max_archive_mb, _positive)),
        max_total_mb=float(r.get("max_total_mb", num, "a positive number (MiB)",
                                 d.max_total_mb, _positive)),
        max_files=r.get("max_files", int, "a positive integer", d.max_files, _positive),
        max_ratio=float(r.get("max_ratio", num, "a positive number", d.max_ratio, _positive)),
        max_entries=r.get("max_entries", int, "a positive integer", d.max_entries, _positive),
    )


def _load_images(r: _Reader, root: Path) -> dict[str, ImageSpec]:
    images: dict[str, ImageSpec] = {}
    for name in r.data:
        if not isinstance(name, str) or not ID_PATTERN.match(name):
            raise r.error(str(name), "an image name matching [a-z0-9][a-z0-9_-]*", name)
        spec = r.child(name)
        spec.unknown_keys({"dockerfile", "context"})
        dockerfile_rel = spec.get("dockerfile", str, "a path to a Dockerfile in the challenge")
        dockerfile = _inside(root, dockerfile_rel, spec, "dockerfile")
        if not dockerfile.is_file():
            raise spec.error("dockerfile", "an existing file", dockerfile_rel)
        context_rel = spec.get("context", str, "a folder in the challenge",
                               str(dockerfile.parent.relative_to(root)))
        context = _inside(root, context_rel, spec, "context")
        if not context.is_dir():
            raise spec.error("context", "an existing folder", context_rel)
        images[name] = ImageSpec(name=name, dockerfile=dockerfile, context=context)
    return images


def _inside(root: Path, rel: str, r: _Reader, key: str) -> Path:
    path = (root / rel).resolve()
    if not path.is_relative_to(root.resolve()):
        raise r.error(key, "a path inside the challenge folder", rel)
    return path


def _load_rubric(file: Path, items: Any) -> tuple[Criterion, ...]:
    if not isinstance(items, list) or not items:
        raise ChallengeConfigError(f"{file}: key 'rubric': expected a non-empty list of criteria")
    criteria: list[Criterion] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        r = _Reader(file, item, f"rubric[{i}].")
        r.unknown_keys({"id", "title", "points", "checks", "manual", "bonus", "description"})
        cid = r.get("id", str, "a criterion id matching [a-z0-9][a-z0-9_-]*",
                    check=ID_PATTERN.match)
        if cid in seen:
            raise r.error("id", "an id not used by another criterion", cid)
        seen.add(cid)
        manual = r.get("manual", bool, "true or false", False)
        bonus = r.get("bonus", bool, "true or false", False)
        checks = r.get("checks", list, "a list of check ids or globs", [])
        if not all(isinstance(c, str) and c for c in checks):
            raise r.error("checks", "a list of non-empty strings", checks)
        if manual and checks:
            raise r.error("checks", "no checks on a manual criterion (the reviewer scores it)")
        if not manual and not checks:
            raise r.error("checks", "at least one check id or glob (or manual: true)")
        criteria.append(Criterion(
            id=cid,
            title=r.get("title", str, "a short title", cid),
            points=float(r.get("points", (int, float), "a positive number of points",
                               check=_positive)),
            checks=tuple(checks),
            manual=manual,
            bonus=bonus,
            description=r.get("description", str, "a string", ""),
        ))
    return tuple(criteria)


TOP_LEVEL_KEYS = {"id", "track", "title", "version", "description", "time_budget_minutes",
                  "images", "limits", "intake", "rubric", "track_config"}


def _merge(base: Any, overrides: Mapping[str, Any]) -> Any:
    """`base` (YAML data) with `overrides` merged in, nested mappings key by key."""
    if not isinstance(base, dict):
        return dict(overrides)
    merged = dict(base)
    for key, value in overrides.items():
        merged[key] = (_merge(merged.get(key), value) if isinstance(value, Mapping)
                       and isinstance(merged.get(key), dict) else value)
    return merged


def load_challenge(path: Path | str, overrides: Mapping[str, Any] | None = None) -> Challenge:
    """Load and validate a challenge from its folder (or its challenge.yaml).

    overrides: values merged into the YAML before validation (nested mappings key by key),
    e.g. `{"track_config": {"train_timeout_seconds": 10}}`; the tests use it to run
    production challenges with short timeouts. They are validated like the file itself.
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
    if overrides:
        data = _merge(data, overrides)
    r = _Reader(file, data)
    r.unknown_keys(TOP_LEVEL_KEYS)
    challenge_id = r.get("id", str, "an id matching [a-z0-9][a-z0-9_-]*",
                         check=ID_PATTERN.match)
    title = r.get("title", str, "a short title")
    tracks = known_tracks()
    track_name = r.get("track", str, f"one of {', '.join(sorted(tracks))}",
                       check=lambda v: v in tracks)
    version = str(r.get("version", (str, int), "a version string", "1"))
    description = r.get("description", str, "a string", "")
    budget = r.get("time_budget_minutes", int, "a positive integer (minutes)", 120, _positive)
    images = _load_images(r.child("images", None), root.resolve())
    limits = _load_limits(r.child("limits", None))
    intake = _load_intake(r.child("intake", None))
    rubric = _load_rubric(file, data.get("rubric"))
    raw_config = r.get("track_config", dict, "a mapping", {})
    track = get_track(track_name)
    config = load_track_config(file, track.config_class, raw_config, root.resolve())
    for role in track.images(config):
        if role not in images:
            raise ChallengeConfigError(
                f"{file}: key 'images.{role}': expected the {track_name} track's "
                f"'{role}' image (a Dockerfile)")
    _check_rubric_matches(file, rubric, [*track.check_ids(config), *track.shared_static])
    return Challenge(id=challenge_id, track=track_name, title=title, root=root.resolve(),
                     version=version, description=description, time_budget_minutes=budget,
                     images=images, limits=limits, intake=intake, rubric=rubric,
                     config=config)


def load_track_config(file: Path, config_class: type, raw: Any, root: Path) -> Any:
    """`track_config` as an instance of the track's config class; ChallengeConfigError naming
    the file and the key otherwise."""
    try:
        return typed.load(config_class, raw, context=typed.Context(root=root))
    except typed.ShapeError as exc:
        raise ChallengeConfigError(f"{file}: {exc.within('track_config').describe()}") from None


def _check_rubric_matches(file: Path, rubric: Iterable[Criterion],
                          check_ids: list[str]) -> None:
    """Every rubric pattern must match a check the track can produce (or a family of them:
    a declared `answer.q1.*` covers the pattern `answer.q1.value`)."""
    for i, criterion in enumerate(rubric):
        for pattern in criterion.checks:
            if not any(fnmatchcase(known, pattern) or fnmatchcase(pattern, known)
                       for known in check_ids):
                raise ChallengeConfigError(
                    f"{file}: key 'rubric[{i}].checks': the pattern '{pattern}' matches no "
                    "check this track produces (known: "
                    f"{', '.join(sorted(set(check_ids))[:30])})")


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
