"""The static prelude every code-writing track starts with: lint, committed secrets and
Python-2-isms over the candidate's own files, judged on the host without running anything.

One lint scale for every track (`lint_check`): findings per 100 lines of the candidate's code,
full credit up to `LINT_GOOD`, none from `LINT_BAD`, linear in between.
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

LINT_GOOD = 1.0   # findings per 100 lines for full credit (and a pass)
LINT_BAD = 5.0    # ... and from which no credit is left
_NO_CODE = (("static.lint", "Lint (ruff)"), ("static.no-secrets", "No secrets committed"),
            ("static.modern-python", "Modern Python"))


def lint_check(counts: Counter[str], first: list[dict[str, Any]], error: str | None,
               lines: int, unit: str = "lines of Python") -> CheckResult:
    """`static.lint` from ruff's findings over `lines` lines of code."""
    if error:
        return CheckResult.skipped("static.lint", error, title="Lint (ruff)", kind="static")
    lines = max(lines, 1)
    total = sum(counts.values())
    per_100 = 100 * total / lines
    points = max(0.0, min(1.0, (LINT_BAD - per_100) / (LINT_BAD - LINT_GOOD)))
    by_rule = ", ".join(f"{code} x{n}" for code, n in counts.most_common(8))
    return CheckResult(
        id="static.lint", status="passed" if per_100 <= LINT_GOOD else "failed", points=points,
        title="Lint (ruff)", kind="static",
        message=f"{total} ruff finding(s) in {lines} {unit}" + (f": {by_rule}" if by_rule
                                                                 else ""),
        evidence={"by_rule": dict(counts.most_common()), "first": first, "findings": total,
                  "per_100_lines": round(per_100, 2)})


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
