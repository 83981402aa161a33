"""A submission's Python dependencies, read from requirements.txt or pyproject.toml, checked
and turned into one image layer on top of the track image, cached by their hash.

Only plain PEP 508 requirements are accepted: no pip options (-e, -r, --index-url), no URLs
or paths, no direct references. The layer installs wheels only (`--only-binary=:all:`), so no
candidate-chosen setup.py runs at build time, the one step that has network.
"""

from __future__ import annotations

import codecs
import re
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from grader.checks import CheckResult
from grader.errors import ImageBuildError
from grader.sandbox.engine import BuildSpec, BuiltImage, Sandbox
from grader.tracks.base import GradingContext

DEPS_DOCKERFILE = """\
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
COPY requirements.txt /tmp/grader-requirements.txt
RUN pip install --only-binary=:all: -r /tmp/grader-requirements.txt
"""


@dataclass(frozen=True)
class Dependencies:
    source: str | None            # "requirements.txt", "pyproject.toml" or None
    requirements: tuple[str, ...]
    refused: tuple[str, ...]      # lines refused, each with the reason


def decode_requirements(raw: bytes) -> str:
    """A requirements file's text, decoded the way pip does: a byte-order mark says UTF-8,
    UTF-16 or UTF-32 (Windows editors write UTF-16 with a BOM); otherwise UTF-8."""
    for bom, encoding in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                          (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            return raw.decode(encoding, errors="replace")
    return raw.decode("utf-8", errors="replace")


def read_dependencies(root: Path) -> Dependencies:
    lines: list[str] = []
    source = None
    if (root / "requirements.txt").is_file():
        source = "requirements.txt"
        text = decode_requirements((root / "requirements.txt").read_bytes())
        lines = [re.split(r"(?:^|\s)#", line, maxsplit=1)[0].strip()
                 for line in text.splitlines()]
    elif (root / "pyproject.toml").is_file():
        try:
            data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
            deps = data.get("project", {}).get("dependencies", [])
            if isinstance(deps, list):
                source = "pyproject.toml"
                lines = [str(d).strip() for d in deps]
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            return Dependencies("pyproject.toml", (), ("pyproject.toml: not valid TOML",))
    kept: list[str] = []
    refused: list[str] = []
    for line in lines:
        if not line or line.startswith("#"):
            continue
        if line.startswith("-"):
            refused.append(f"{line}: pip options are not accepted")
            continue
        try:
            req = Requirement(line)
        except InvalidRequirement as exc:
            refused.append(f"{line}: {exc}")
            continue
        if req.url:
            refused.append(f"{line}: direct URLs are not accepted")
            continue
        kept.append(str(req))
    return Dependencies(source, tuple(sorted(set(kept))), tuple(refused))


def build_dependency_layer(sandbox: Sandbox, base_tag: str, name: str,
                           deps: Dependencies) -> BuiltImage:
    """The track image plus the submission's requirements; raises ImageBuildError with the
    pip output when the install fails."""
    with tempfile.TemporaryDirectory(prefix="grader-deps-") as tmp:
        folder = Path(tmp)
        (folder / "Dockerfile").write_text(DEPS_DOCKERFILE)
        (folder / "requirements.txt").write_text("\n".join(deps.requirements) + "\n")
        spec = BuildSpec(name=name, dockerfile=folder / "Dockerfile", context=folder,
                         build_args={"BASE_IMAGE": base_tag})
        return sandbox.ensure_image(spec)


def submission_image(ctx: GradingContext[Any], base_tag: str, checks: list[CheckResult],
                     failure_note: str = "") -> tuple[str | None, str]:
    """`base_tag` plus the submission's dependency layer, appending `build.dependencies` to
    `checks`. Returns (tag, "") or, when the install failed, (None, why) with pip's output
    in the check and in the `dependency-install.log` artifact."""
    deps = read_dependencies(ctx.submission.root)
    title = "Dependencies install"
    if deps.refused:
        checks.append(CheckResult.failed(
            "build.dependencies", f"{len(deps.refused)} requirement line(s) refused: "
            + "; ".join(deps.refused[:5]), title=title, kind="build",
            evidence={"refused": list(deps.refused)}))
    if not deps.requirements:
        if not deps.refused:
            checks.append(CheckResult.passed("build.dependencies", "nothing to install "
                                             "beyond the track image", title=title,
                                             kind="build"))
        return base_tag, ""
    try:
        built = build_dependency_layer(ctx.sandbox, base_tag, f"{ctx.challenge.id}-deps", deps)
    except ImageBuildError as exc:
        ctx.add_artifact("dependency-install.log", exc.log_tail)
        checks.append(CheckResult.failed(
            "build.dependencies", f"installing {deps.source} failed{failure_note}: {exc}",
            title=title, kind="build", evidence={"pip_output": exc.log_tail[-6000:],
                                                 "requirements": list(deps.requirements)}))
        return None, f"the dependencies in {deps.source} could not be installed"
    if not deps.refused:
        checks.append(CheckResult.passed(
            "build.dependencies", f"{len(deps.requirements)} requirement(s) from "
            f"{deps.source} installed" + ("" if built.built else " (cached)"),
            title=title, kind="build"))
    return built.tag, ""


__all__ = ["Dependencies", "ImageBuildError", "build_dependency_layer", "read_dependencies",
           "submission_image"]
