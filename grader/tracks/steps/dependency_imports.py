"""Whether the submission's declared packages import in the image built for it.

Every declared package's top-level modules are imported in a sandboxed run of the built image
(no network, like the grading runs; the probe is grader/tracks/steps/import_probe.py): a
wheel whose native library the image lacks (`libgomp.so.1` for LightGBM) is a finding,
named, rather than a training failure to puzzle over.

Some packages cannot be imported outside their framework's configuration: django-ninja reads
Django's settings at import time and, bare, raises ImproperlyConfigured. Such an import is
tried again the way the submission's own program would run it (its files in the work folder,
the working folder, sys.path and environment its run command sets, Django's settings module
and django.setup(); grader/tracks/steps/entry_point.py). A package that imports then has
installed; one that still wants configuration, or whose import runs the submission's own
code and fails there, has installed too (the check passes and says so: the server's own
start judges the code). Only a package that cannot be imported for a reason of its own (a
missing module or native library, a broken package) fails the check.
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Any, Protocol

from packaging.requirements import Requirement

from grader.checks import CheckResult
from grader.sandbox.engine import RunSpec
from grader.tracks.base import GradingContext
from grader.tracks.steps.entry_point import EntryPoint

PROBE = Path(__file__).with_name("import_probe.py")
_NATIVE = re.compile(r"(lib[\w.+-]*?\.so(?:\.[\d.]+)?)(?=: cannot open shared object file|"
                     r"[^\n]{0,40}not found|: cannot open)")
#: What an import says when it failed for want of configuration, not of code: Django's
#: settings or app registry (django-ninja, django-filter, any app importing its models), a
#: Flask or Quart application context, an environment variable or a display the package
#: asks for at import.
_NEEDS_CONFIGURATION = re.compile(
    r"ImproperlyConfigured|AppRegistryNotReady|settings are not configured|"
    r"DJANGO_SETTINGS_MODULE|Apps aren't loaded yet|settings\.configure\(\)|"
    r"outside of (?:the )?application context|working outside of|"
    r"environment variable\W{0,3}[\w.-]*\W{0,3} (?:is )?(?:not set|missing|required|must be set)|"
    r"no \$DISPLAY|cannot connect to X server", re.IGNORECASE)


class Declared(Protocol):
    """What the import check reads of the submission's dependencies."""

    @property
    def requirements(self) -> tuple[str, ...]: ...


_import_cache: dict[tuple[str, tuple[str, ...]], tuple[list[dict[str, Any]], str]] = {}
_cache_lock = threading.Lock()


def needs_configuration(error: str) -> bool:
    """Whether an import error says the package wants its framework configured (or an
    environment the probe did not give it) rather than that it is broken."""
    return bool(_NEEDS_CONFIGURATION.search(error))


def _probe(ctx: GradingContext[Any], tag: str, names: list[str],
           options: dict[str, object] | None = None,
           files: dict[str, bytes | Path] | None = None) -> tuple[list[dict[str, Any]] | None,
                                                                  str]:
    """(the probe's rows, "") or (None, why it did not finish); a crash while importing is a
    row of its own, naming the module."""
    command = ["python", "-c", PROBE.read_text(encoding="utf-8"), json.dumps(names)]
    if options is not None:
        command.append(json.dumps(options))
    result = ctx.sandbox.run(RunSpec(
        image=tag, command=command, files=files or {},
        limits=ctx.challenge.limits.merged(timeout_seconds=180), name_hint="imports"))
    out = result.stdout.text()
    line = next((x for x in reversed(out.splitlines()) if x.startswith("GRADER-IMPORTS ")),
                None)
    if line is None:
        importing = [x.split(" ", 1)[1] for x in out.splitlines() if x.startswith("importing ")]
        if importing and result.outcome == "exited":
            return [{"package": importing[-1], "module": importing[-1], "ok": False, "error":
                     f"the interpreter died importing it ({result.explain()})"}], ""
        return None, f"the import check did not finish ({result.explain()})"
    try:
        rows = json.loads(line.removeprefix("GRADER-IMPORTS "))
    except (ValueError, RecursionError):
        rows = []
    return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else [], ""


def import_failures(ctx: GradingContext[Any], tag: str,
                    deps: Declared) -> tuple[list[dict[str, Any]], str]:
    """Import every declared package in a sandboxed run of `tag`, bare (no submission file):
    (the failed imports, each {package, module, error, native_library?, configuration?}, and
    "") or ([], why the check itself could not conclude). `configuration` marks an import
    that failed for want of configuration. Cached per image and package list."""
    names = tuple(sorted({Requirement(r).name for r in deps.requirements}))
    key = (tag, names)
    with _cache_lock:
        if key in _import_cache:
            return _import_cache[key]
    rows, unsure = _probe(ctx, tag, list(names))
    failed = [r for r in rows or [] if r.get("ok") is False]
    for row in failed:
        error = str(row.get("error", ""))
        match = _NATIVE.search(error)
        if match:
            row["native_library"] = match.group(1)
        elif needs_configuration(error):
            row["configuration"] = True
    answer = (failed, unsure)
    with _cache_lock:
        _import_cache[key] = answer
    return answer


def configured_imports(ctx: GradingContext[Any], tag: str, failed: list[dict[str, Any]],
                       entry: EntryPoint) -> tuple[list[dict[str, Any]], list[str]]:
    """The imports in `failed` that wanted configuration, tried again as the submission's
    program would run them: (the ones that still fail for a reason of their own, what the
    check's message says of the others: the first note names the packages that imported
    with the submission's settings, "" when none did)."""
    wanting = [r for r in failed if r.get("configuration")]
    real = [r for r in failed if not r.get("configuration")]
    if not wanting:
        return real, [""]
    sub = ctx.submission
    names = sorted({str(r.get("package")) for r in wanting})
    rows, unsure = _probe(ctx, tag, names, entry.probe_options(),
                          {rel: sub.root / rel for rel in sub.files})
    if rows is None:
        return real, ["", f"{', '.join(names)} installed, but {_them(names)} need"
                      f"{'s' if len(names) == 1 else ''} configuration to import and the "
                      f"check with the submission's settings did not conclude: "
                      f"{unsure.removeprefix('the import check ')}"]
    setup = next((r for r in rows if r.get("setup")), None)
    imported = list(dict.fromkeys(str(r.get("package")) for r in rows if r.get("ok") is True))
    how = entry.describe() or "its working folder and environment"
    notes = [f"{', '.join(imported)} with the submission's settings: {how}" if imported
             else ""]
    for row in rows:
        if row.get("ok") is not False:
            continue
        error = str(row.get("error", ""))
        own = row.get("own_code")
        if own:
            notes.append(f"{row.get('package')} installed; importing it runs the submission's "
                         f"own code, which failed at {own} ({_short(error)}); the server's "
                         "start judges that")
        elif needs_configuration(error):
            why = _short(str(setup["error"])) if setup else _short(error)
            notes.append(f"{row.get('package')} installed; its import needs configuration "
                         f"the check could not give it ({why})")
        else:
            real.append(row)
    return real, notes


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _packages(rows: list[dict[str, Any]]) -> str:
    return ", ".join(dict.fromkeys(str(r.get("package")) for r in rows))


def _them(names: list[str]) -> str:
    return "it" if len(names) == 1 else "them"


def import_check(failed: list[dict[str, Any]], source: str | None) -> CheckResult:
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
