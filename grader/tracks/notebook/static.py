"""Static facts of a notebook as submitted, read on the host: row-by-row pandas loops, SQL
where a question asks for it, markdown narrative under each question, the order its cells were
run in before saving, and lint (one scale with the other tracks)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from grader.analysis import notebook_facts as nbf
from grader.analysis.code_facts import findings_check, ruff_findings
from grader.checks import CheckResult
from grader.tracks.notebook.config import NotebookConfig
from grader.tracks.steps.static import lint_check

STATIC_CHECKS = ("static.vectorized", "static.sql-used", "narrative.per-question",
                 "notebook.execution-order", "static.lint")


def notebook_static_checks(root: Path, rel: str, nb: Any,
                           cfg: NotebookConfig) -> list[CheckResult]:
    """static.vectorized, static.sql-used (per SQL question), narrative.per-question,
    notebook.execution-order and static.lint for the notebook `rel`."""
    cells = nbf.cells(nb)
    sections = nbf.sections(cells, {q.id: q.heading for q in cfg.questions})
    checks = [findings_check(
        "static.vectorized", "Vectorised pandas (no row-by-row loops)",
        nbf.row_loops(cells, rel), "what", "row-by-row loop(s)",
        "no iterrows/itertuples/apply(axis=1)/range(len(...)) loops")]
    for q in (q for q in cfg.questions if q.sql):
        checks.append(_sql_check(q.id, sections, cells))
    checks.append(_narrative(cfg, sections))
    in_order, counts = nbf.execution_order(nb)
    checks.append(CheckResult(
        id="notebook.execution-order", status="passed" if in_order else "failed",
        points=1.0 if in_order else 0.0, title="Saved notebook was run top to bottom",
        kind="static", message=("execution counts in order" if in_order else
                                "cells were run out of order before saving (hidden state "
                                "risk): " + str(counts[:30])),
        evidence={"execution_counts": counts[:200]}))
    counts_by_rule, first, error = ruff_findings(root, [rel])
    checks.append(lint_check(counts_by_rule, first, error, nbf.code_lines(cells),
                             unit="lines of notebook code"))
    return checks


def _sql_check(qid: str, sections: dict[str, Any], cells: Any) -> CheckResult:
    found = nbf.uses_sql(sections.get(qid, []))
    anywhere = found or nbf.uses_sql(cells)
    title = f"SQL used for {qid}"
    if found:
        return CheckResult.passed(
            "static.sql-used", f"{qid} is answered with SQL: "
            + "; ".join(f"{f['what']} at {f['file']}" for f in found[:3]),
            title=title, kind="static", evidence={"found": found})
    if anywhere and qid not in sections:
        return CheckResult.passed(
            "static.sql-used", f"SQL is used ({anywhere[0]['file']}); the {qid} heading was "
            "not found to place it", title=title, kind="static", evidence={"found": anywhere})
    return CheckResult.failed(
        "static.sql-used", f"{qid} asks for SQL, but no SELECT query is run "
        + ("under its heading" if qid in sections else "anywhere"), title=title,
        kind="static")


def _narrative(cfg: NotebookConfig, sections: dict[str, Any]) -> CheckResult:
    qs = cfg.questions
    min_words = cfg.narrative.min_words
    words = {q.id: nbf.narrative_words(sections[q.id], cfg.narrative.placeholders)
             for q in qs if q.id in sections}
    written = [q for q, n in words.items() if n >= min_words]
    missing = [q.id for q in qs if q.id not in sections]
    message = (f"{len(written)} of {len(qs)} question(s) have at least {min_words} words of "
               "markdown narrative: " + ", ".join(f"{q} {n}" for q, n in words.items()))
    if missing:
        message += f"; heading not found for {', '.join(missing)}"
    return CheckResult(
        id="narrative.per-question", status="passed" if len(written) == len(qs) else "failed",
        points=len(written) / len(qs), title="Markdown narrative per question", kind="static",
        message=message, evidence={"words": words, "min_words": min_words})
