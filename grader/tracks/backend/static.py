"""Backend facts read on the host: which framework the submission uses (and whether the
challenge accepts it), how many of its request handlers are async, and whether the
configuration it is served with switches debug mode on."""

from __future__ import annotations

from pathlib import Path

from grader.analysis.debug_settings import debug_mode
from grader.analysis.frameworks import KNOWN, NAMES
from grader.analysis.routes import Route
from grader.checks import CheckResult


def framework_check(framework: str | None, counts: dict[str, int], declared: str | None,
                    allowed: list[str]) -> CheckResult:
    """static.framework: detected from imports, compared with submission.yaml and the
    challenge's accepted frameworks."""
    title = "Framework allowed by the challenge"
    evidence = {"detected": framework, "imports": counts, "declared": declared,
                "allowed": allowed}
    if framework is None:
        return CheckResult.failed("static.framework", "no known web framework is imported ("
                                  + ", ".join(NAMES[k] for k in KNOWN) + ")", title=title,
                                  kind="static", evidence=evidence)
    name = NAMES.get(framework, framework)
    notes = []
    if declared and declared != framework:
        notes.append(f"submission.yaml says {declared}")
    elif declared:
        notes.append(f"declared {declared}")
    suffix = f" ({'; '.join(notes)})" if notes else ""
    if framework not in allowed:
        return CheckResult.failed(
            "static.framework", f"written in {name}{suffix}, which this challenge does not "
            f"accept (allowed: {', '.join(NAMES.get(a, a) for a in allowed)})", title=title,
            kind="static", evidence=evidence)
    return CheckResult.passed("static.framework", f"{name}{suffix}", title=title,
                              kind="static", evidence=evidence)


def async_check(routes: list[Route]) -> CheckResult:
    """static.async-endpoints: the share of route handlers that are async (bonus)."""
    title = "Async request handlers (bonus)"
    if not routes:
        return CheckResult.failed("static.async-endpoints", "no route handlers found",
                                  title=title, kind="static")
    handlers = {(r.file, r.line): r for r in routes}
    n_async = sum(1 for r in handlers.values() if r.is_async)
    share = n_async / len(handlers)
    return CheckResult(
        id="static.async-endpoints", status="passed" if share >= 0.5 else "failed",
        points=share, title=title, kind="static",
        message=f"{n_async} of {len(handlers)} handler(s) are async",
        evidence={"handlers": [f"{r.file}:{r.line} {r.handler}"
                               f"{' (async)' if r.is_async else ''}"
                               for r in list(handlers.values())[:40]]})


def debug_mode_check(root: Path, files: tuple[str, ...] | list[str],
                     run_command: str | None) -> CheckResult:
    """static.debug-mode: the run command and the code it serves switch no debug mode on
    (the hidden suite asks the running server for its debugger; this is the code's side)."""
    title = "Served without debug mode"
    found = debug_mode(root, files, run_command)
    if not found:
        return CheckResult.passed("static.debug-mode", "no debug mode in the run command or "
                                  "the code it serves", title=title, kind="static")
    where = "; ".join(f"{f['what']} at {f['file']}:{f['line']}" for f in found[:4])
    return CheckResult.failed(
        "static.debug-mode", f"the server is started with debug mode on ({where}): a failing "
        "request shows its code, or, with Werkzeug, opens a console to run any code",
        title=title, kind="static", evidence={"findings": found})
