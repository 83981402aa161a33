"""`submission.yaml`: reading it from the unpacked tree (size-capped, `yaml.safe_load`) and
validating it into a Manifest."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, TypeGuard

import yaml

from grader.errors import InputRejected
from grader.intake.names import MANIFEST_FILE, _bad_char, _first_line, _show

MANIFEST_MAX_BYTES = 64 * 1024
MANIFEST_KEYS = ("challenge", "candidate", "framework", "commands", "artifact", "notes",
                 "kit_version", "kit_digest")
DIGEST_PATTERN = re.compile(r"^[0-9a-f]{12,64}$")
# A challenge id: the same pattern as grader.challenge.ID_PATTERN, not imported from there
# (grader.challenge is to take IntakeLimits from grader.intake.limits: that would be a cycle).
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


@dataclass(frozen=True)
class Manifest:
    """The validated content of `submission.yaml`."""

    challenge: str  # the challenge id
    candidate: str  # the candidate's name or email
    framework: str | None = None  # e.g. "fastapi" (lowercased)
    commands: dict[str, str] = field(default_factory=dict)  # name -> shell command
    notes: str = ""
    artifact: str | None = None  # what the `train` command writes (a relative path)
    #: The kit the submission was made on, as `grader kit` wrote it (grader/versions.py):
    #: challenge.yaml's version label and the digest of the kit's files.
    kit_version: str | None = None
    kit_digest: str | None = None


def _read_manifest(root: Path, where: str, files: list[str]) -> Manifest:
    if MANIFEST_FILE not in files:
        near = [f for f in files if f.rsplit("/", 1)[-1].lower() in (
            "submission.yaml", "submission.yml")]
        hint = (f" (found {_show(near[0])}, but the name is case-sensitive and the file must sit "
                "at the top level)") if near else ""
        raise InputRejected(f"{where} has no {MANIFEST_FILE} at its top level{hint}; add one "
                            "naming the challenge and the candidate (see "
                            "docs/submission-yaml.md).", rule="manifest-missing")
    with (root / MANIFEST_FILE).open("rb") as f:
        raw = f.read(MANIFEST_MAX_BYTES + 1)
    if len(raw) > MANIFEST_MAX_BYTES:
        raise InputRejected(f"{where}: {MANIFEST_FILE} is larger than the "
                            f"{MANIFEST_MAX_BYTES // 1024} KiB cap.", rule="manifest-invalid")
    try:
        data: Any = yaml.safe_load(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputRejected(f"{where}: {MANIFEST_FILE} is not UTF-8 text.",
                            rule="manifest-invalid") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = exc.problem or exc.context or "syntax error"
        raise InputRejected(f"{where}: {MANIFEST_FILE} is not valid YAML ({at}{problem}).",
                            rule="manifest-invalid") from None
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        raise InputRejected(f"{where}: {MANIFEST_FILE} is not valid YAML "
                            f"({_first_line(exc)}).", rule="manifest-invalid") from None
    return _validate_manifest(data, where)


def _validate_manifest(data: Any, where: str) -> Manifest:
    def bad(text: str) -> InputRejected:
        return InputRejected(f"{where}: {MANIFEST_FILE} {text}.", rule="manifest-invalid")

    def one_line(value: Any) -> TypeGuard[str]:
        return isinstance(value, str) and bool(value.strip()) and not any(
            _bad_char(ch) for ch in value)

    if not isinstance(data, dict):
        got = "nothing" if data is None else f"a {type(data).__name__}"
        raise bad(f"must be a mapping with the keys challenge and candidate, not {got}")
    unknown = sorted(str(k) for k in data if k not in MANIFEST_KEYS)
    if unknown:
        raise bad(f"has unknown key {_show(unknown[0], 40)} (allowed keys: "
                  f"{', '.join(MANIFEST_KEYS)})")
    challenge = data.get("challenge")
    if not isinstance(challenge, str) or not ID_PATTERN.match(challenge.strip()):
        raise bad("needs 'challenge' as a challenge id (lowercase letters, digits, '-' and "
                  "'_', such as wordfreq)")
    candidate = data.get("candidate")
    if not one_line(candidate):
        raise bad("needs 'candidate' as a non-empty one-line string (a name or an email)")
    framework = data.get("framework")
    if framework is not None and not (one_line(framework) or framework == ""):
        raise bad("has 'framework' that is not a one-line string (such as fastapi)")
    commands = data.get("commands")
    commands = {} if commands is None else commands
    if not isinstance(commands, dict) or not all(
            one_line(k) and isinstance(v, str) and v.strip() and "\x00" not in v
            for k, v in commands.items()):
        raise bad("has 'commands' that is not a mapping of names to shell commands "
                  "(such as run: python main.py)")
    notes = data.get("notes")
    notes = "" if notes is None else notes
    if not isinstance(notes, str):
        raise bad("has 'notes' that is not a string")
    artifact = data.get("artifact")
    if artifact is not None:
        parts = PurePosixPath(str(artifact).strip()).parts if one_line(artifact) else ()
        if not parts or parts[0] == "/" or ".." in parts or "\\" in str(artifact):
            raise bad("has 'artifact' that is not a relative path inside the submission "
                      "(such as model/ or model.skops)")
        artifact = PurePosixPath(*parts).as_posix()
    kit_version = data.get("kit_version")
    if isinstance(kit_version, int | float) and not isinstance(kit_version, bool):
        kit_version = str(kit_version)  # `kit_version: 1` written by hand
    if kit_version is not None and not one_line(kit_version):
        raise bad("has 'kit_version' that is not a one-line string (keep the line `grader "
                  "kit` wrote)")
    kit_digest = data.get("kit_digest")
    if kit_digest is not None and not (isinstance(kit_digest, str)
                                       and DIGEST_PATTERN.match(kit_digest.strip().lower())):
        raise bad("has 'kit_digest' that is not a hexadecimal digest (keep the line `grader "
                  "kit` wrote)")
    return Manifest(challenge=challenge.strip(), candidate=candidate.strip(),
                    framework=framework.strip().lower() if framework else None,
                    commands=dict(commands), notes=notes, artifact=artifact,
                    kit_version=kit_version.strip() if kit_version else None,
                    kit_digest=kit_digest.strip().lower() if kit_digest else None)
