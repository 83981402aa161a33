"""A submission's Python dependencies, read from requirements.txt or pyproject.toml, checked
and turned into one image layer on top of the track image, cached by their hash.

Only plain PEP 508 requirements are accepted: no pip options (-e, -r, --index-url), no URLs
or paths, no direct references. The layer is built in two stages: a build stage holding only
requirements.txt (none of the candidate's code) downloads the packages and builds wheels of
those published as source distributions only (a package's own setup.py runs there, with the
package index reachable); the final stage installs those wheels with `--no-index`, so the
install itself fetches nothing. The candidate's code never runs while a network is reachable.

After installing, every declared package's top-level modules are imported in a sandboxed run
of the built image (no network, like the grading runs; never in the build step, which has
network): a wheel whose native library the image lacks (`libgomp.so.1` for LightGBM) is a
finding of `build.dependencies`, named, rather than a training failure to puzzle over.
"""

from __future__ import annotations

import codecs
import json
import re
import tempfile
import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from grader.checks import CheckResult
from grader.errors import ImageBuildError
from grader.sandbox.engine import BuildSpec, BuiltImage, RunSpec, Sandbox
from grader.text import clean
from grader.tracks.base import GradingContext

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


# Run in the built image with the declared distributions' names: imports each one's top-level
# modules (top_level.txt, else the package folders of its RECORD; only the one named like the
# distribution when there is one), printing a line before each import (a crash still names the
# module) and one JSON line of results at the end.
IMPORT_SCRIPT = r"""
import importlib, importlib.metadata as md, json, sys
SKIP = {"tests", "test", "testing", "docs", "doc", "examples", "benchmarks", "scripts"}
out = []
for name in json.loads(sys.argv[1]):
    try:
        dist = md.distribution(name)
    except md.PackageNotFoundError:
        out.append({"package": name, "skipped": "not installed here (environment marker)"})
        continue
    tops = (dist.read_text("top_level.txt") or "").split()
    if not tops:
        for f in dist.files or []:
            parts = f.parts
            if len(parts) == 1 and parts[0].endswith(".py"):
                tops.append(parts[0][:-3])
            elif len(parts) == 2 and parts[1] == "__init__.py":
                tops.append(parts[0])
    mods = sorted({t for t in tops if t.isidentifier() and not t.startswith("_")
                   and t not in SKIP})[:5]
    # The module named like the distribution is the one its users import; the others are
    # often extras with optional dependencies (duckdb ships adbc_driver_duckdb).
    own = name.lower().replace("-", "_").replace(".", "_")
    mods = [m for m in mods if m.lower() == own] or mods
    for mod in mods:
        print("importing", mod, flush=True)
        try:
            importlib.import_module(mod)
            out.append({"package": name, "module": mod, "ok": True})
        except BaseException as exc:
            out.append({"package": name, "module": mod, "ok": False,
                        "error": f"{type(exc).__name__}: {exc}"[:500]})
print("GRADER-IMPORTS " + json.dumps(out), flush=True)
"""
_NATIVE = re.compile(r"(lib[\w.+-]*?\.so(?:\.[\d.]+)?)(?=: cannot open shared object file|"
                     r"[^\n]{0,40}not found|: cannot open)")
_import_cache: dict[tuple[str, tuple[str, ...]], tuple[list[dict[str, Any]], str]] = {}
_cache_lock = threading.Lock()


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


def import_failures(ctx: GradingContext[Any], tag: str,
                    deps: Dependencies) -> tuple[list[dict[str, Any]], str]:
    """Import every declared package in a sandboxed run of `tag`: (the failed imports, each
    {package, module, error, native_library?}, and "" ) or ([], why the check itself could
    not conclude). Cached per image and package list for the process."""
    names = tuple(sorted({Requirement(r).name for r in deps.requirements}))
    key = (tag, names)
    with _cache_lock:
        if key in _import_cache:
            return _import_cache[key]
    result = ctx.sandbox.run(RunSpec(
        image=tag, command=["python", "-c", IMPORT_SCRIPT, json.dumps(list(names))],
        limits=ctx.challenge.limits.merged(timeout_seconds=180), name_hint="imports"))
    out = result.stdout.text()
    line = next((x for x in reversed(out.splitlines()) if x.startswith("GRADER-IMPORTS ")),
                None)
    if line is None:
        importing = [x.split(" ", 1)[1] for x in out.splitlines() if x.startswith("importing ")]
        if importing and result.outcome == "exited":
            crash = {"package": importing[-1], "module": importing[-1], "error":
                     f"the interpreter died importing it ({result.explain()})"}
            answer: tuple[list[dict[str, Any]], str] = ([crash], "")
        else:
            answer = ([], f"the import check did not finish ({result.explain()})")
    else:
        try:
            rows = json.loads(line.removeprefix("GRADER-IMPORTS "))
        except (ValueError, RecursionError):
            rows = []
        rows = rows if isinstance(rows, list) else []
        failed = [r for r in rows if isinstance(r, dict) and r.get("ok") is False]
        for row in failed:
            match = _NATIVE.search(str(row.get("error", "")))
            if match:
                row["native_library"] = match.group(1)
        answer = (failed, "")
    with _cache_lock:
        _import_cache[key] = answer
    return answer


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


def _import_check(failed: list[dict[str, Any]], source: str | None) -> CheckResult:
    """build.dependencies failed: a declared package that installs but does not import."""
    parts = []
    for row in failed[:4]:
        lib = row.get("native_library")
        parts.append(f"{row.get('package')} (import {row.get('module')}): "
                     + (f"the native library {lib} is missing from the image" if lib else
                        str(row.get("error", ""))[:200]))
    return CheckResult.failed(
        "build.dependencies", f"installed from {source}, but {len(failed)} declared "
        "package(s) do not import in the grading image: " + "; ".join(parts),
        title="Dependencies install", kind="build", evidence={"import_failures": failed[:20]})


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
    if failed:
        checks.append(_import_check(failed, deps.source))
    elif not deps.refused:
        checks.append(CheckResult.passed(
            "build.dependencies", f"{len(deps.requirements)} requirement(s) from "
            f"{deps.source} installed" + ("" if built.built else " (cached)")
            + (f"; {unsure}" if unsure else ", each imports"), title=title, kind="build"))
    return built.tag, ""


__all__ = ["Dependencies", "ImageBuildError", "build_dependency_layer", "import_failures",
           "pip_cause", "read_dependencies", "submission_image"]
