"""Static facts of a notebook as submitted, read on the host: row-by-row pandas loops, SQL
where a question asks for it (a query that only loads a table is "SQL used as a loader"), the
order its cells were run in before saving, and lint (one scale with the other tracks; a cell
nested deeper than a linter can follow fails it, named, instead of being linted). The
narrative is judged after the run (narrative.py): its figures are compared with the answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from grader.analysis import notebook_facts as nbf
from grader.analysis.code_facts import findings_check, ruff_findings
from grader.analysis.sources import MAX_DEPTH
from grader.checks import CheckResult
from grader.tracks.notebook.config import NotebookConfig
from grader.tracks.steps.static import lint_check

STATIC_CHECKS = ("static.vectorized", "static.sql-used", "notebook.execution-order",
                 "static.lint")


def notebook_static_checks(root: Path, rel: str, nb: Any,
                           cfg: NotebookConfig) -> list[CheckResult]:
    """static.vectorized, static.sql-used (per SQL question), notebook.execution-order and
    static.lint for the notebook `rel`."""
    cells = nbf.cells(nb)
    sections = nbf.sections(cells, {q.id: q.heading for q in cfg.questions})
    checks = [findings_check(
        "static.vectorized", "Vectorised dataframe code (no row-by-row loops)",
        nbf.row_loops(cells, rel), "what", "row-by-row loop(s)",
        "no iterrows/itertuples/apply(axis=1)/map_rows/iter_rows/range(len(...)) loops")]
    names = nbf.string_names(cells)
    for q in (q for q in cfg.questions if q.sql):
        checks.append(_sql_check(q.id, sections, cells, names))
    in_order, counts = nbf.execution_order(nb)
    checks.append(CheckResult(
        id="notebook.execution-order", status="passed" if in_order else "failed",
        points=1.0 if in_order else 0.0, title="Saved notebook was run top to bottom",
        kind="static", message=("execution counts in order" if in_order else
                                "cells were run out of order before saving (hidden state "
                                "risk): " + str(counts[:30])),
        evidence={"execution_counts": counts[:200]}))
    deep = nbf.too_deep_cells(cells)
    if deep:  # a linter overflows its stack on them: say so rather than lint
        named = ", ".join(f"cell {i + 1}" for i in deep[:5])
        checks.append(CheckResult.failed(
            "static.lint", f"not linted: {named} nest(s) deeper than {MAX_DEPTH} levels, past "
            "what a linter (or a reader) can follow", title="Lint (ruff)", kind="static",
            evidence={"too_deep": deep[:50]}))
        return checks
    counts_by_rule, first, error = ruff_findings(root, [rel])
    checks.append(lint_check(counts_by_rule, first, error, nbf.code_lines(cells),
                             unit="lines of notebook code"))
    return checks


def _sql_check(qid: str, sections: dict[str, Any], cells: Any,
               names: dict[str, str]) -> CheckResult:
    here = nbf.uses_sql(sections.get(qid, []), names)
    everywhere = nbf.uses_sql(cells, names)
    title = f"SQL used for {qid}"
    for found, placed in ((here, ""), (everywhere, f" (outside the {qid} section)")):
        working = [f for f in found if not f["loader"]]
        if working:
            where = "; ".join(f"{f['what']} at {f['file']}" for f in working[:3])
            return CheckResult.passed(
                "static.sql-used", f"{qid} is answered with SQL: {where}{placed}", title=title,
                kind="static", evidence={"found": found})
    if here or everywhere:
        queries = "; ".join(f"{f['query'] or f['what']} ({f['file']})"
                            for f in (here or everywhere)[:2])
        return CheckResult.failed(
            "static.sql-used", f"SQL used as a loader, not to answer {qid}: {queries} only "
            "load(s) a table (no filter, join or aggregation); the work is done in Python",
            title=title, kind="static", evidence={"found": here or everywhere})
    return CheckResult.failed(
        "static.sql-used", f"{qid} asks for SQL, but no SELECT query is run "
        + ("under its heading" if qid in sections else "anywhere"), title=title,
        kind="static")
