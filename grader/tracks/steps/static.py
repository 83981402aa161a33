"""The static prelude every code-writing track starts with: lint, committed secrets and
Python-2-isms over the candidate's own files, judged on the host without running anything.

One lint scale for every track (`lint_check`): the number of distinct kinds of finding (ruff
rules), pyupgrade's newer-spelling rules reported but never scored.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from grader.analysis.code_facts import (
    find_py2isms,
    find_secrets,
    findings_check,
    python_lines,
    ruff_findings,
)
from grader.checks import CheckResult
from grader.tracks.base import GradingContext

_NO_CODE = (("static.lint", "Lint (ruff)"), ("static.no-secrets", "No secrets committed"),
            ("static.modern-python", "Modern Python"))
#: Rule families that only ask for a newer spelling (pyupgrade: Optional[X] -> X | None):
#: reported, never scored.
STYLE_ONLY = ("UP",)
#: Distinct kinds of finding (ruff rules) from which no lint credit is left.
LINT_KINDS_BAD = 6


def lint_check(counts: Counter[str], first: list[dict[str, Any]], error: str | None,
               lines: int, unit: str = "lines of Python") -> CheckResult:
    """`static.lint` from ruff's findings: scored by how many *kinds* of problem there are
    (one rule repeated is one habit, not twenty mistakes), pyupgrade's spelling rules left
    out; passed only without a scored finding."""
    if error:
        return CheckResult.skipped("static.lint", error, title="Lint (ruff)", kind="static")
    lines = max(lines, 1)
    scored = Counter({c: n for c, n in counts.items() if not c.startswith(STYLE_ONLY)})
    style = sum(counts.values()) - sum(scored.values())
    kinds = len(scored)
    points = max(0.0, 1.0 - kinds / LINT_KINDS_BAD)
    by_rule = ", ".join(f"{code} x{n}" for code, n in scored.most_common(8))
    message = (f"{sum(scored.values())} ruff finding(s) of {kinds} kind(s) in {lines} {unit}"
               + (f": {by_rule}" if by_rule else ""))
    if style:
        message += f" ({style} newer-spelling suggestion(s), not scored)"
    return CheckResult(
        id="static.lint", status="passed" if kinds == 0 else "failed", points=points,
        title="Lint (ruff)", kind="static", message=message,
        evidence={"by_rule": dict(counts.most_common()), "first": first,
                  "findings": sum(scored.values()), "kinds": kinds, "style_only": style,
                  "per_100_lines": round(100 * sum(scored.values()) / lines, 2)})


def quality_checks(root: Path, files: tuple[str, ...] | list[str]) -> list[CheckResult]:
    """static.lint, static.no-secrets and static.modern-python over `files` under `root`."""
    counts, first, error = ruff_findings(root, files)
    return [
        lint_check(counts, first, error, python_lines(root, files)),
        findings_check("static.no-secrets", "No secrets committed", find_secrets(root, files),
                       "kind", "secret(s) committed", "no committed secrets found"),
        findings_check("static.modern-python", "Modern Python", find_py2isms(root, files),
                       "what", "Python-2-ism(s)", "no Python-2-isms"),
    ]


def code_quality(ctx: GradingContext[Any]) -> list[CheckResult]:
    """The quality checks over the candidate's own .py files (failed, each saying so, when
    there are none)."""
    own = ctx.candidate_files
    if not any(f.endswith(".py") for f in own):
        return [CheckResult.failed(cid, "no Python code of the candidate's own to judge",
                                   title=title, kind="static") for cid, title in _NO_CODE]
    return quality_checks(ctx.submission.root, own)
