"""Starter kits: the zip a candidate downloads, built from `starter_kits/<challenge-id>/`.

Layout: `starter_kits/<challenge-id>/common/` is shared by every variant; each other folder is
a variant (for the backend challenge: one per framework). The zip holds one top folder
`<challenge-id>-<variant>/` with common files overlaid by the variant's. It never holds hidden
material: a file whose bytes equal any file of the challenge's hidden tests, solutions or
images is refused, and so is any path with a `hidden` or `solutions` folder in it. Zips are
reproducible (fixed timestamps, sorted entries). The kit's submission.yaml carries the
challenge version it was built from (`kit_version`, `kit_digest`: grader/versions.py), so the
submission is graded against that kit even after the challenge changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import yaml

from grader.challenge import Challenge
from grader.errors import ChallengeConfigError
from grader.intake.names import MANIFEST_FILE
from grader.versions import KitVersion, current_version, kit_files, kits_root

COMMON = "common"
KIT_MANIFEST = ".grader/kit.json"
_MIN_COMPARED_BYTES = 64       # tiny files (empty __init__.py, ...) are the same everywhere
_FIXED_TIME = (2024, 1, 1, 0, 0, 0)
_STAMP_COMMENT = "# The kit this was made on (written by `grader kit`; keep these two lines):"


def variants(challenge: Challenge) -> list[str]:
    root = kits_root(challenge)
    return sorted(p.name for p in root.iterdir() if p.is_dir() and p.name != COMMON)


def _secret_digests(challenge: Challenge) -> dict[str, str]:
    """sha256 -> challenge-relative path of every file that must stay out of kits."""
    digests: dict[str, str] = {}
    for rel, path in kit_files(challenge.root).items():
        if rel == "challenge.yaml" or path.stat().st_size < _MIN_COMPARED_BYTES:
            continue
        digests[hashlib.sha256(path.read_bytes()).hexdigest()] = rel
    return digests


def build_kit(challenge: Challenge, variant: str | None, output: Path) -> tuple[Path, list[str]]:
    """Write the kit zip; returns its path and the files it holds (inside the top folder)."""
    root = kits_root(challenge)
    names = variants(challenge)
    if variant is None:
        if len(names) > 1:
            raise ChallengeConfigError(
                f"challenge '{challenge.id}' has several kits: choose one with --framework "
                f"({', '.join(names)})")
        variant = names[0] if names else None
    if variant is not None and variant not in names:
        raise ChallengeConfigError(
            f"no '{variant}' kit for challenge '{challenge.id}'; there are: {', '.join(names)}")
    files = kit_files(root / COMMON)
    if variant:
        files.update(kit_files(root / variant))
    secrets = _secret_digests(challenge)
    for rel, path in files.items():
        parts = set(Path(rel).parts)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if parts & {"hidden", "solutions"} or digest in secrets:
            what = secrets.get(digest, rel)
            raise ChallengeConfigError(
                f"refusing to build the kit: {path} would leak hidden material ({what})")
    top = f"{challenge.id}-{variant}" if variant else challenge.id
    version = current_version(challenge)

    def content(rel: str) -> bytes:
        data = files[rel].read_bytes()
        return stamped_manifest(data, version) if rel == MANIFEST_FILE and version else data

    manifest = kit_manifest(challenge, variant, {
        rel: hashlib.sha256(content(rel)).hexdigest() for rel in files})
    if version is not None:
        manifest.update(kit_version=version.label, kit_digest=version.digest)
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo(f"{top}/{KIT_MANIFEST}", date_time=_FIXED_TIME)
        info.external_attr = (0o100000 | 0o644) << 16
        zf.writestr(info, json.dumps(manifest, indent=1, sort_keys=True) + "\n")
        for rel in sorted(files):
            info = zipfile.ZipInfo(f"{top}/{rel}", date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            mode = 0o755 if os.access(files[rel], os.X_OK) else 0o644
            info.external_attr = (0o100000 | mode) << 16
            zf.writestr(info, content(rel))
    return output, sorted([*files, KIT_MANIFEST])


def stamped_manifest(data: bytes, version: KitVersion) -> bytes:
    """The kit's submission.yaml template with the version lines `grader kit` adds (any
    earlier ones replaced): the grader reads them to grade the submission against this kit."""
    kept = [line for line in data.decode("utf-8").splitlines()
            if not line.startswith(("kit_version:", "kit_digest:", _STAMP_COMMENT))]
    return ("\n".join(kept).rstrip("\n") + f"\n{_STAMP_COMMENT}\n"
            f"kit_version: {json.dumps(version.label)}\nkit_digest: {version.digest}\n"
            ).encode("utf-8")


def kit_manifest(challenge: Challenge, variant: str | None,
                 digests: dict[str, str]) -> dict[str, Any]:
    """What `grader check` needs inside the kit: the kit's files (to tell the candidate's own
    work from them) and the public checks of `starter_kits/<id>/kit.yaml`. Nothing hidden."""
    spec_file = kits_root(challenge) / "kit.yaml"
    spec = yaml.safe_load(spec_file.read_text(encoding="utf-8")) if spec_file.is_file() else {}
    if not isinstance(spec, dict):
        raise ChallengeConfigError(f"{spec_file}: expected a mapping")
    return {"challenge": challenge.id, "variant": variant, "title": challenge.title,
            "time_budget_minutes": challenge.time_budget_minutes, "starter_files": digests,
            **{k: spec.get(k, []) for k in ("required_commands", "required_manifest",
                                             "required_files", "public_checks")}}


def starter_digests(challenge: Challenge) -> set[str]:
    """sha256 of every non-empty file of the challenge's starter kits (all variants), so that
    graders can tell the candidate's own code from what the kit gave them. Empty when the
    challenge has no kit."""
    try:
        root = kits_root(challenge)
    except ChallengeConfigError:
        return set()
    return {hashlib.sha256(p.read_bytes()).hexdigest() for p in kit_files(root).values()
            if p.stat().st_size > 0}
