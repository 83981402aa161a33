"""What a batch of gradings prints and writes, shared by `grader run` and `grader run
--queue`: one line per finished submission (a progress bar on a terminal), and after a batch
the cohort's summary.csv, index.html and similarity.json (flagged pairs said) and the role
profile's cohort warnings."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from grader.batch import cohort_warnings, write_summary
from grader.pipeline import GradeOutcome


def outcome_line(outcome: GradeOutcome) -> str:
    report = outcome.report
    sub = report.submission.id
    if report.status == "rejected":
        why = report.messages[0].text if report.messages else "rejected"
        return f"REJECTED {sub}: {why}  -> {outcome.report_dir / 'report.md'}"
    total = report.total
    pending = total.pending_max_points
    extra = f" (+{pending:g} pending manual)" if pending else ""
    tag = "ERROR" if report.status == "error" else "graded"
    return (f"{tag} {sub}: {total.points:g} / {total.max_points:g} points "
            f"({total.percent:g}%){extra}  -> {outcome.report_dir / 'report.md'}")


def write_cohort(outcomes: list[GradeOutcome], out_dir: Path, store: Any, batch: bool,
                 profiled: bool) -> None:
    """After a batch: summary.csv, index.html and similarity.json (pairs said), and the
    profile's cohort warnings."""
    if batch:
        pairs = _similar_pairs(outcomes, store)
        csv_path, index = write_summary(out_dir, [(o.report, o.report_dir) for o in outcomes],
                                        pairs)
        (out_dir / "similarity.json").write_text(json.dumps(pairs, indent=1) + "\n")
        for pair in pairs:
            click.echo(f"similar: {pair['a']} and {pair['b']} ({pair['score']:.0%} of "
                       f"fingerprints shared): {pair['detail']}")
        click.echo(f"cohort summary: {index} and {csv_path}")
    if profiled:
        for warning in cohort_warnings([(o.report, o.report_dir) for o in outcomes]):
            click.echo(f"warning: {warning}")


def _similar_pairs(outcomes: list[GradeOutcome], store: Any) -> list[dict[str, Any]]:
    """Flagged pairs within this cohort, and against earlier ones kept in the store, per
    challenge. Fragments come with excerpts read from the stored sources when available."""
    from grader.similarity import excerpt, flagged_pairs

    pairs: list[dict[str, Any]] = []
    by_challenge: dict[str, dict[str, Any]] = {}
    for o in outcomes:
        if o.report.status == "graded" and o.fingerprints:
            challenge_id = o.report.challenge.id if o.report.challenge else ""
            by_challenge.setdefault(challenge_id, {})[o.report.submission.id] = o.fingerprints
    for challenge_id, prints in by_challenge.items():
        cohort = list(prints)
        earlier = store.fingerprints(challenge_id) if store is not None else {}
        everyone = {**{k: v for k, v in earlier.items() if v}, **prints}
        for pair in flagged_pairs(everyone, cohort):
            pair["challenge"] = challenge_id
            if store is not None:
                for fragment in pair["fragments"][:3]:
                    for side in ("a", "b"):
                        fragment[f"{side}_excerpt"] = excerpt(
                            lambda rel, who=pair[side]: store.source_text(who, rel),
                            fragment[side])
            pair["earlier_cohort"] = [x for x in (pair["a"], pair["b"]) if x not in cohort]
            pairs.append(pair)
    return pairs


class BatchProgress:
    """A progress bar on a terminal; one line per finished submission otherwise."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.bar: Any = None
        if sys.stdout.isatty() and total > 1:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.bar = Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(),
                                transient=True)
            self.task = self.bar.add_task("grading", total=total)

    def __enter__(self) -> BatchProgress:
        if self.bar is not None:
            self.bar.start()
        return self

    def done(self, line: str) -> None:
        if self.bar is not None:
            self.bar.console.print(line, markup=False, highlight=False)
            self.bar.advance(self.task)
        else:
            click.echo(line)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
