"""`grader run` (one submission, several, or a folder of them; in parallel with --jobs) and
`grader report` (re-render a saved report)."""

from __future__ import annotations

import json
import sys
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path

import click

from grader.batch import expand_paths
from grader.challenge import Challenge, find_challenge
from grader.cli.app import _CONTEXT, _echo_err, batch_exit_code, cli
from grader.cli.output import BatchProgress, outcome_line, write_cohort
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
@click.option("--queue", "use_queue", is_flag=True,
              help="Grade through the job queue: the submissions go into the store and "
                   "`grader worker`s on any Docker host grade them (GRADER_BROKER_URL; "
                   "without it, --jobs threads of this process); waits for every report.")
def run_cmd(paths: tuple[Path, ...], challenge_ref: str | None, out_dir: Path,
            jobs: int, profile_ref: str | None, use_queue: bool) -> None:
    """Grade submissions (each PATH a .zip, a folder, or a folder of them) and write reports.

    With more than one submission, OUT/summary.csv and OUT/index.html rank the cohort.

    \b
    Examples:
      grader run submission.zip
      grader run alice.zip bob.zip --challenge backend --out reports/ --jobs 2
      grader run cohort/ --challenge backend --profile mid
      grader run tests/challenges/wordfreq/solutions/reference --challenge tests/challenges/wordfreq
      GRADER_BROKER_URL=redis://queue:6379/0 grader run cohort/ --queue --challenge backend

    Exit code: 0 all reports written, 2 a submission was rejected (its report says which rule),
    3 the environment is not usable, 1 internal error.
    """
    challenge: Challenge | None = find_challenge(challenge_ref) if challenge_ref else None
    if challenge is not None and profile_ref:
        find_profile(profile_ref, challenge)  # a profile it does not have: say so now
    if use_queue:
        from grader.cli.queued import run_queued

        sys.exit(run_queued(list(paths), challenge, out_dir, jobs, profile_ref))
    grader = Grader(out_dir=out_dir, challenge=challenge, settings=Settings.from_env(),
                    profile=profile_ref)
    batch = expand_paths(list(paths))
    if not batch:
        _echo_err(f"grader: no submissions (zips or folders) in {', '.join(map(str, paths))}")
        sys.exit(EXIT_REJECTED)
    outcomes: list[GradeOutcome] = []
    with BatchProgress(len(batch)) as progress:
        if jobs == 1 or len(batch) == 1:
            for path in batch:
                outcome = grader.grade(path)
                progress.done(outcome_line(outcome))
                outcomes.append(outcome)
            codes = [o.exit_code for o in outcomes]
        else:
            codes = _run_parallel(grader, tuple(batch), jobs, progress, outcomes)
    write_cohort(outcomes, out_dir, grader.store, len(batch) > 1, bool(profile_ref))
    sys.exit(batch_exit_code(codes))


def _run_parallel(grader: Grader, paths: tuple[Path, ...], jobs: int, progress: BatchProgress,
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
                    progress.done(outcome_line(outcome))
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
