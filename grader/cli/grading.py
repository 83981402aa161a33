"""`grader run` (one submission, several, or a folder of them; in parallel with --jobs) and
`grader report` (re-render a saved report)."""

from __future__ import annotations

import json
import sys
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

import click

from grader.batch import cohort_warnings, expand_paths, write_summary
from grader.challenge import Challenge, find_challenge
from grader.cli.app import _CONTEXT, _echo_err, batch_exit_code, cli
from grader.errors import (
    EXIT_REJECTED,
    EnvironmentProblem,
    GraderError,
)
from grader.pipeline import GradeOutcome, Grader
from grader.profiles import find_profile
from grader.report import load_report, render_html, render_markdown, to_gradescope
from grader.settings import Settings


# -- run ------------------------------------------------------------------------------------
def _outcome_line(outcome: GradeOutcome) -> str:
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


@cli.command("run", context_settings=_CONTEXT)
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(path_type=Path))
@click.option("--challenge", "challenge_ref", metavar="ID|DIR",
              help="Challenge to grade against (default: the one named in submission.yaml).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("reports"),
              show_default=True, help="Folder for OUT/<submission-id>/report.{json,md}.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Submissions graded in parallel.")
@click.option("--profile", "profile_ref", metavar="NAME|FILE",
              help="A role profile (junior, mid, senior, or a profile YAML): each report "
                   "gets its recommendation, and the cohort is ranked by it.")
def run_cmd(paths: tuple[Path, ...], challenge_ref: str | None, out_dir: Path,
            jobs: int, profile_ref: str | None) -> None:
    """Grade submissions (each PATH a .zip, a folder, or a folder of them) and write reports.

    With more than one submission, OUT/summary.csv and OUT/index.html rank the cohort.

    \b
    Examples:
      grader run submission.zip
      grader run alice.zip bob.zip --challenge backend --out reports/ --jobs 2
      grader run cohort/ --challenge backend --profile mid
      grader run tests/challenges/wordfreq/solutions/reference --challenge tests/challenges/wordfreq

    Exit code: 0 all reports written, 2 a submission was rejected (its report says which rule),
    3 the environment is not usable, 1 internal error.
    """
    challenge: Challenge | None = find_challenge(challenge_ref) if challenge_ref else None
    if challenge is not None and profile_ref:
        find_profile(profile_ref, challenge)  # a profile it does not have: say so now
    grader = Grader(out_dir=out_dir, challenge=challenge, settings=Settings.from_env(),
                    profile=profile_ref)
    batch = expand_paths(list(paths))
    if not batch:
        _echo_err(f"grader: no submissions (zips or folders) in {', '.join(map(str, paths))}")
        sys.exit(EXIT_REJECTED)
    outcomes: list[GradeOutcome] = []
    with _Progress(len(batch)) as progress:
        if jobs == 1 or len(batch) == 1:
            for path in batch:
                outcome = grader.grade(path)
                progress.done(_outcome_line(outcome))
                outcomes.append(outcome)
            codes = [o.exit_code for o in outcomes]
        else:
            codes = _run_parallel(grader, tuple(batch), jobs, progress, outcomes)
    if len(batch) > 1:
        pairs = _similar_pairs(outcomes, grader.store)
        csv_path, index = write_summary(out_dir, [(o.report, o.report_dir) for o in outcomes],
                                        pairs)
        (out_dir / "similarity.json").write_text(json.dumps(pairs, indent=1) + "\n")
        for pair in pairs:
            click.echo(f"similar: {pair['a']} and {pair['b']} ({pair['score']:.0%} of "
                       f"fingerprints shared): {pair['detail']}")
        click.echo(f"cohort summary: {index} and {csv_path}")
    if profile_ref:
        for warning in cohort_warnings([(o.report, o.report_dir) for o in outcomes]):
            click.echo(f"warning: {warning}")
    sys.exit(batch_exit_code(codes))


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


class _Progress:
    """A progress bar on a terminal; one line per finished submission otherwise."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.bar: Any = None
        if sys.stdout.isatty() and total > 1:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.bar = Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(),
                                transient=True)
            self.task = self.bar.add_task("grading", total=total)

    def __enter__(self) -> _Progress:
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


def _run_parallel(grader: Grader, paths: tuple[Path, ...], jobs: int, progress: _Progress,
                  outcomes: list[GradeOutcome]) -> list[int]:
    codes: list[int] = []
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="grade") as pool:
        pending: dict[Future[GradeOutcome], Path] = {pool.submit(grader.grade, p): p
                                                     for p in paths}
        try:
            while pending:
                done, _ = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                for future in done:
                    path = pending.pop(future)
                    try:
                        outcome = future.result()
                    except EnvironmentProblem:
                        raise
                    except GraderError as exc:
                        _echo_err(f"grader: {path}: {exc}")
                        codes.append(exc.exit_code)
                        continue
                    progress.done(_outcome_line(outcome))
                    outcomes.append(outcome)
                    codes.append(outcome.exit_code)
        except BaseException:
            from grader.sandbox.lifecycle import CANCEL

            CANCEL.set()  # workers stop at their next sandbox call and clean up
            for future in pending:
                future.cancel()
            raise
    return codes




# -- report ---------------------------------------------------------------------------------
@cli.command("report", context_settings=_CONTEXT)
@click.argument("report_json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["md", "json", "html", "gradescope"]),
              default="md", show_default=True,
              help="md, json, html (self-contained; artifacts next to the report are "
                   "embedded) or gradescope (an autograder results.json).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here instead of standard output.")
def report_cmd(report_json: Path, fmt: str, output: Path | None) -> None:
    """Re-render a saved report.

    \b
    Example:
      grader report reports/ada-1a2b3c4d5e6f/report.json --format md
      grader report reports/ada-1a2b3c4d5e6f/report.json --format gradescope -o results.json
    """
    try:
        report = load_report(report_json)
    except ValueError as exc:
        _echo_err(f"grader: {report_json}: {exc}")
        sys.exit(EXIT_REJECTED)
    if fmt == "md":
        text = render_markdown(report)
    elif fmt == "html":
        text = render_html(report, report_json.parent)
    elif fmt == "gradescope":
        text = json.dumps(to_gradescope(report), indent=2) + "\n"
    else:
        text = report.to_json()
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=not text.endswith("\n"))
