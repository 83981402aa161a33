"""`grader check`: the candidate's pre-flight, run inside the unzipped kit.

It applies what the reviewer's grader will apply before anything runs, and the public checks
the kit declares (`.grader/kit.json`, written by `grader kit` from starter_kits/<id>/kit.yaml):
the intake rules (size, links, names), submission.yaml (schema, the commands and keys the
challenge needs, the candidate's name filled in), required files, and the public checks
(the kit's tests, the answers' format). It shows what will be graded as the candidate's own
work (files that differ from the kit). It has nothing hidden to show: the kit holds none.
Public checks run natively, in the candidate's own environment, with a time limit.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from grader.errors import InputRejected
from grader.intake import open_submission
from grader.intake.manifest import Manifest
from grader.kit import KIT_MANIFEST
from grader.pipeline import intake_limits_for

CHECK_TIMEOUT = 300
_PLACEHOLDER_NAMES = {"your name", "your.name@example.com", ""}


@dataclass(frozen=True)
class Line:
    status: Literal["ok", "warn", "fail"]
    text: str
    detail: str = ""


def _kit(folder: Path) -> dict[str, Any] | None:
    path = folder / KIT_MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _run(command: str, folder: Path) -> tuple[int, str]:
    try:
        done = subprocess.run(["/bin/sh", "-c", command], cwd=folder, capture_output=True,
                              text=True, timeout=CHECK_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        return 124, f"stopped after {CHECK_TIMEOUT} s"
    output = (done.stdout + done.stderr).strip().splitlines()
    return done.returncode, "\n".join(output[-15:])


def _version_lines(manifest: Manifest, kit: dict[str, Any] | None) -> list[Line]:
    """submission.yaml still says which kit it was made on (grader/versions.py): without it,
    the grader cannot tell the kit's data apart from a later version's."""
    if kit is None or not kit.get("kit_digest"):
        return []
    if manifest.kit_digest and str(kit["kit_digest"]).startswith(manifest.kit_digest):
        return [Line("ok", f"kit version {manifest.kit_version or '?'} "
                           f"({manifest.kit_digest[:12]})")]
    if manifest.kit_digest or manifest.kit_version:
        return [Line("warn", "submission.yaml names another kit version than this kit's: put "
                             f"back `kit_version: {json.dumps(kit.get('kit_version'))}` and "
                             f"`kit_digest: {kit['kit_digest']}`")]
    return [Line("warn", "submission.yaml lost the kit_version and kit_digest lines the kit "
                         f"came with: put back `kit_version: {json.dumps(kit.get('kit_version'))}`"
                         f" and `kit_digest: {kit['kit_digest']}` (without them, comparisons "
                         "of your saved outputs with a fresh run are not made)")]


def check_folder(folder: Path) -> list[Line]:
    lines: list[Line] = []
    kit = _kit(folder)
    if kit is None:
        lines.append(Line("warn", f"no {KIT_MANIFEST} here: not an unzipped kit; checking the "
                                  "general rules only"))
    workdir = Path(tempfile.mkdtemp(prefix="grader-check-"))
    try:
        try:
            sub = open_submission(folder, workdir, intake_limits_for(folder))
        except InputRejected as exc:
            return [*lines, Line("fail", f"the grader would refuse this submission "
                                         f"[{exc.rule}]: {exc}")]
        lines.append(Line("ok", f"intake: {len(sub.files)} file(s), "
                                f"{sub.total_bytes / 1024:.0f} KiB"
                                + (f"; ignored: {', '.join(sub.ignored[:8])}"
                                   if sub.ignored else "")))
        manifest = sub.manifest
        if kit is not None and manifest.challenge != kit.get("challenge"):
            lines.append(Line("fail", f"submission.yaml names challenge '{manifest.challenge}'"
                                      f", this kit is for '{kit.get('challenge')}'"))
        if manifest.candidate.strip().lower() in _PLACEHOLDER_NAMES:
            lines.append(Line("fail", "submission.yaml: put your name (or email) in "
                                      "'candidate'"))
        else:
            lines.append(Line("ok", f"candidate: {manifest.candidate}"))
        lines += _version_lines(manifest, kit)
        kit = kit or {}
        for name in kit.get("required_commands", []):
            if name in manifest.commands:
                lines.append(Line("ok", f"command {name}: {manifest.commands[name]}"))
            else:
                lines.append(Line("fail", f"submission.yaml has no commands.{name}"))
        for key in kit.get("required_manifest", []):
            if getattr(manifest, str(key), None):
                lines.append(Line("ok", f"{key}: {getattr(manifest, str(key))}"))
            else:
                lines.append(Line("fail", f"submission.yaml has no '{key}'"))
        for rel in kit.get("required_files", []):
            if rel not in sub.files:
                lines.append(Line("fail", f"missing {rel}"))
        starter = kit.get("starter_files") or {}
        own = [rel for rel in sub.files if rel != KIT_MANIFEST and (
            not isinstance(starter, dict) or starter.get(rel)
            != hashlib.sha256((sub.root / rel).read_bytes()).hexdigest())]
        unchanged = len([f for f in sub.files if f != KIT_MANIFEST]) - len(own)
        lines.append(Line("ok" if own else "warn",
                          f"graded as your own work: {len(own)} file(s) that differ from the "
                          f"kit ({unchanged} unchanged)",
                          ", ".join(own[:20]) + (" ..." if len(own) > 20 else "")))
        for check in kit.get("public_checks", []):
            if not isinstance(check, dict):
                continue
            name = str(check.get("name", "check"))
            missing = [n for n in check.get("needs", []) if not (folder / n).exists()]
            if missing:
                lines.append(Line("warn", f"{name}: not run, {', '.join(missing)} missing: "
                                          f"{check.get('missing', 'produce it first')}"))
                continue
            command = (manifest.commands.get(str(check["command"])) if "command" in check
                       else check.get("run"))
            if not command:
                lines.append(Line("fail", f"{name}: no command to run"))
                continue
            code, output = _run(str(command), folder)
            lines.append(Line("ok" if code == 0 else "fail",
                              f"{name} (`{command}`): " + ("passed" if code == 0 else
                                                           f"failed (exit {code})"), output))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return lines
