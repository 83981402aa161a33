"""The parts of challenge.yaml and how each is read: images, limits, intake caps, the rubric's
criteria and the severity caps. Every error names the file, the dotted key and what was
expected (ChallengeConfigError); `grader.challenge` assembles them into a Challenge.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from grader.errors import ChallengeConfigError
from grader.intake.limits import IntakeLimits
from grader.sandbox.limits import Limits

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


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
class Cap:
    """Severity: when any of `checks` fails (observed, not merely not run), the total percent
    is capped at `total_percent` and each criterion in `criteria` earns at most that share of
    its points. A flaw an expert treats as disqualifying (one user can change another's
    notes) then cannot hide behind points earned elsewhere."""

    id: str
    checks: tuple[str, ...]
    reason: str
    total_percent: float | None = None
    criteria: tuple[tuple[str, float], ...] = ()
    #: Only failures that saw one of these HTTP statuses ("2xx", 200, ...): a refusal with
    #: the wrong status is a contract question, not the flaw the cap is about.
    response: tuple[str, ...] = ()
    #: Only failures that kept less than this share of their points (a check whose partial
    #: credit measures how bad the flaw is).
    below: float | None = None


class Reader:
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

    def child(self, name: str, default: Any = ...) -> Reader:
        value = self.data.get(name, {} if default is not ... else None)
        if name not in self.data and default is ...:
            raise ChallengeConfigError(
                f"{self.file}: key '{self.key(name)}' is missing: expected a mapping")
        return Reader(self.file, value, f"{self.prefix}{name}.")

    def unknown_keys(self, allowed: set[str]) -> None:
        extra = sorted(set(self.data) - allowed)
        if extra:
            raise ChallengeConfigError(
                f"{self.file}: key '{self.key(extra[0])}' is not known: expected one of "
                f"{', '.join(sorted(allowed))}")


def positive(v: Any) -> bool:
    return v > 0


def load_limits(r: Reader) -> Limits:
    r.unknown_keys({"memory_mb", "cpus", "pids", "timeout_seconds", "output_kb", "tmpfs_mb",
                    "work_mb"})
    d = Limits()
    return Limits(
        memory_mb=r.get("memory_mb", int, "a positive integer (MiB)", d.memory_mb, positive),
        cpus=float(r.get("cpus", (int, float), "a positive number of CPUs", d.cpus, positive)),
        pids=r.get("pids", int, "a positive integer", d.pids, positive),
        timeout_seconds=float(r.get("timeout_seconds", (int, float), "a positive number of seconds",
                                    d.timeout_seconds, positive)),
        output_kb=r.get("output_kb", int, "a positive integer (KiB)", d.output_kb, positive),
        tmpfs_mb=r.get("tmpfs_mb", int, "a positive integer (MiB)", d.tmpfs_mb, positive),
        work_mb=r.get("work_mb", int, "a positive integer (MiB)", d.work_mb, positive),
    )


def load_intake(r: Reader) -> IntakeLimits:
    r.unknown_keys({"max_archive_mb", "max_total_mb", "max_files", "max_ratio", "max_entries"})
    d = IntakeLimits()
    num = (int, float)
    return IntakeLimits(
        max_archive_mb=float(r.get("max_archive_mb", num, "a positive number (MiB)",
                                   d.max_archive_mb, positive)),
        max_total_mb=float(r.get("max_total_mb", num, "a positive number (MiB)",
                                 d.max_total_mb, positive)),
        max_files=r.get("max_files", int, "a positive integer", d.max_files, positive),
        max_ratio=float(r.get("max_ratio", num, "a positive number", d.max_ratio, positive)),
        max_entries=r.get("max_entries", int, "a positive integer", d.max_entries, positive),
    )


def load_images(r: Reader, root: Path) -> dict[str, ImageSpec]:
    images: dict[str, ImageSpec] = {}
    for name in r.data:
        if not isinstance(name, str) or not ID_PATTERN.match(name):
            raise r.error(str(name), "an image name matching [a-z0-9][a-z0-9_-]*", name)
        spec = r.child(name)
        spec.unknown_keys({"dockerfile", "context"})
        dockerfile_rel = spec.get("dockerfile", str, "a path to a Dockerfile in the challenge")
        dockerfile = inside(root, dockerfile_rel, spec, "dockerfile")
        if not dockerfile.is_file():
            raise spec.error("dockerfile", "an existing file", dockerfile_rel)
        context_rel = spec.get("context", str, "a folder in the challenge",
                               str(dockerfile.parent.relative_to(root)))
        context = inside(root, context_rel, spec, "context")
        if not context.is_dir():
            raise spec.error("context", "an existing folder", context_rel)
        images[name] = ImageSpec(name=name, dockerfile=dockerfile, context=context)
    return images


def inside(root: Path, rel: str, r: Reader, key: str) -> Path:
    path = (root / rel).resolve()
    if not path.is_relative_to(root.resolve()):
        raise r.error(key, "a path inside the challenge folder", rel)
    return path


def load_rubric(file: Path, items: Any) -> tuple[Criterion, ...]:
    if not isinstance(items, list) or not items:
        raise ChallengeConfigError(f"{file}: key 'rubric': expected a non-empty list of criteria")
    criteria: list[Criterion] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        r = Reader(file, item, f"rubric[{i}].")
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
                               check=positive)),
            checks=tuple(checks),
            manual=manual,
            bonus=bonus,
            description=r.get("description", str, "a string", ""),
        ))
    return tuple(criteria)


def load_caps(file: Path, items: Any, rubric: tuple[Criterion, ...]) -> tuple[Cap, ...]:
    if items is None:
        return ()
    if not isinstance(items, list):
        raise ChallengeConfigError(f"{file}: key 'caps': expected a list of caps")
    criteria_ids = {c.id for c in rubric}
    caps: list[Cap] = []
    for i, item in enumerate(items):
        r = Reader(file, item, f"caps[{i}].")
        r.unknown_keys({"id", "checks", "reason", "total_percent", "criteria", "response",
                        "below"})
        below = r.get("below", (int, float), "a share of the check's points (0..1)", None,
                      lambda v: 0 < v <= 1)
        response = r.get("response", (str, int, list), "an HTTP status class (2xx), a status "
                         "or a list of them", [])
        response = response if isinstance(response, list) else [response]
        checks = r.get("checks", list, "a non-empty list of check ids or globs",
                       check=lambda v: bool(v) and all(isinstance(c, str) and c for c in v))
        total = r.get("total_percent", (int, float), "a percent between 0 and 100", None,
                      lambda v: 0 <= v <= 100)
        shares = r.get("criteria", dict, "a mapping of criterion id -> share (0..1)", {})
        for cid, share in shares.items():
            if cid not in criteria_ids:
                raise r.error(f"criteria.{cid}", f"a criterion id of the rubric "
                              f"({', '.join(sorted(criteria_ids))})")
            if isinstance(share, bool) or not isinstance(share, int | float) or \
                    not 0 <= share <= 1:
                raise r.error(f"criteria.{cid}", "a share between 0 and 1", share)
        if total is None and not shares:
            raise r.error("total_percent", "a total cap or criteria caps (or both)")
        caps.append(Cap(id=r.get("id", str, "a cap id", check=ID_PATTERN.match),
                        checks=tuple(checks), reason=r.get("reason", str, "a sentence: what "
                                                           "the failure means"),
                        total_percent=None if total is None else float(total),
                        criteria=tuple((str(k), float(v)) for k, v in shares.items()),
                        response=tuple(str(x) for x in response),
                        below=None if below is None else float(below)))
    return tuple(caps)


def check_rubric_matches(file: Path, rubric: Iterable[Criterion],
                          check_ids: list[str]) -> None:
    """Every rubric pattern must match a check the track can produce (or a family of them:
    a declared `answer.q1.*` covers the pattern `answer.q1.value`)."""
    check_patterns(file, "rubric", [(i, c.checks) for i, c in enumerate(rubric)], check_ids)


def check_patterns(file: Path, key: str, groups: list[tuple[int, tuple[str, ...]]],
                    check_ids: list[str]) -> None:
    for i, patterns in groups:
        for pattern in patterns:
            if not any(fnmatchcase(known, pattern) or fnmatchcase(pattern, known)
                       for known in check_ids):
                raise ChallengeConfigError(
                    f"{file}: key '{key}[{i}].checks': the pattern '{pattern}' matches no "
                    "check this track produces (known: "
                    f"{', '.join(sorted(set(check_ids))[:30])})")
