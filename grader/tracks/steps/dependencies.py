"""A submission's Python dependencies, read from requirements.txt or pyproject.toml, checked
and turned into one image layer on top of the track image, cached by their hash.

Only plain PEP 508 requirements are accepted: no pip options (-e, -r, --index-url), no URLs
or paths, no direct references. The layer is built in two stages: a build stage holding only
requirements.txt (none of the candidate's code) downloads the packages and builds wheels of
those published as source distributions only (a package's own setup.py runs there, with the
package index reachable); the final stage installs those wheels with `--no-index`, so the
install itself fetches nothing. The candidate's code never runs while a network is reachable.

After installing, every declared package is imported in a sandboxed run of the built image
(no network, like the grading runs; never in the build step, which has network), the way the
submission's own program would import it when it needs its framework configured
(grader/tracks/steps/dependency_imports.py): a wheel whose native library the image lacks is
a finding of `build.dependencies`, named; a package that wants Django's settings is not.
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
from grader.text import clean
from grader.tracks.base import GradingContext
from grader.tracks.steps.dependency_imports import (
    configured_imports,
    import_failures,
)
from grader.tracks.steps.dependency_imports import (
    import_check as _import_check,
)
from grader.tracks.steps.entry_point import entry_point

# The wheel stage runs the requirements' own build code (sdists): each step is bounded by what
# is left of the grading budget (GRADER_BUILD_SECONDS, see grader/sandbox/images.py).
DEPS_DOCKERFILE = """\
ARG BASE_IMAGE
FROM ${BASE_IMAGE} AS wheels
ARG GRADER_BUILD_SECONDS=3600
COPY requirements.txt /tmp/grader-requirements.txt
RUN timeout --kill-after=5 ${GRADER_BUILD_SECONDS} pip wheel --quiet --use-pep517 \\
    --wheel-dir /tmp/grader-wheels -r /tmp/grader-requirements.txt
FROM ${BASE_IMAGE}
ARG GRADER_BUILD_SECONDS=3600
COPY requirements.txt /tmp/grader-requirements.txt
COPY --from=wheels /tmp/grader-wheels /tmp/grader-wheels
RUN timeout --kill-after=5 ${GRADER_BUILD_SECONDS} pip install --no-index \\
    --find-links /tmp/grader-wheels -r /tmp/grader-requirements.txt && rm -rf /tmp/grader-wheels
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
                         build_args={"BASE_IMAGE": base_tag}, budgeted=True)
        return sandbox.ensure_image(spec)


_PIP_ERROR = re.compile(r"^ERROR: (.+)$", re.MULTILINE)
_PIP_STEP = re.compile(r"^\s*× (.+)$", re.MULTILINE)         # pip's diagnostics: the step
_SUBPROCESS_END = re.compile(r"^\s*\[end of output\]", re.MULTILINE)


def pip_cause(build_log: str) -> str | None:
    """What made pip fail, from an image build's output, in at most 300 characters: pip's
    first error line ("Could not find a version that satisfies the requirement x==9 (from
    versions: none)", "Cannot install a and b because these package versions have conflicting
    dependencies.") or, when it printed none (pip 23 on a package's own build code), the step
    that failed ("Preparing metadata (pyproject.toml) did not run successfully."); followed by
    the last line the package's build printed ("RuntimeError: ..."), when there is one. None
    when pip said neither (the budget ran out, the engine failed): the build error is the
    cause then."""
    build_log = clean(build_log)  # the engine colours a step's stderr: "\x1b[91mERROR: ..."
    match = _PIP_ERROR.search(build_log) or _PIP_STEP.search(build_log)
    if match is None:
        return None
    cause = match.group(1).strip()
    end = _SUBPROCESS_END.search(build_log)
    if end is not None:
        before = [line.strip() for line in build_log[:end.start()].splitlines() if line.strip()]
        if before and before[-1] not in cause and not before[-1].startswith("╰─>"):
            cause += f" ({before[-1]})"
    return cause if len(cause) <= 300 else cause[:299] + "…"


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
        cause = pip_cause(exc.log_tail)
        checks.append(CheckResult.failed(
            "build.dependencies", f"installing {deps.source} failed{failure_note}: "
            + (f"pip: {cause}" if cause else str(exc)),
            title=title, kind="build", evidence={"pip_output": exc.log_tail[-6000:],
                                                 "requirements": list(deps.requirements)}))
        return None, f"the dependencies in {deps.source} could not be installed"
    failed, unsure = import_failures(ctx, built.tag, deps)
    configured, notes = "", list[str]()
    if any(row.get("configuration") for row in failed):
        commands = ctx.submission.manifest.commands
        command = next((commands[c] for c in ("run", "serve", "train") if c in commands), None)
        failed, (configured, *notes) = configured_imports(
            ctx, built.tag, failed, entry_point(ctx.submission.root, ctx.submission.files,
                                                command))
    if failed:
        checks.append(_import_check(failed, deps.source))
    elif not deps.refused:
        message = (f"{len(deps.requirements)} requirement(s) from {deps.source} installed"
                   + ("" if built.built else " (cached)"))
        if unsure:
            message += f"; {unsure}"
        elif not notes:
            message += ", each imports" + (f" ({configured})" if configured else "")
        else:
            message += "; " + "; ".join(notes) + (f"; the others import, {configured}"
                                                  if configured else "")
        checks.append(CheckResult.passed("build.dependencies", message, title=title,
                                         kind="build"))
    return built.tag, ""


__all__ = ["Dependencies", "ImageBuildError", "build_dependency_layer", "import_failures",
           "pip_cause", "read_dependencies", "submission_image"]
