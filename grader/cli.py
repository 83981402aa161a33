"""The `grader` command line: parses arguments, calls plain functions, maps errors to exit codes.

Exit codes: 0 report(s) written, 1 internal error, 2 input rejected, 3 environment not usable,
130 interrupted. See grader.errors and the README.
"""

from __future__ import annotations

import contextlib
import json
import signal
import sys
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

import click

from grader import __version__
from grader.batch import expand_paths, write_summary
from grader.challenge import Challenge, challenge_search_path, find_challenge, load_challenge
from grader.errors import (
    EXIT_ENVIRONMENT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_REJECTED,
    EnvironmentProblem,
    GraderError,
)
from grader.pipeline import GradeOutcome, Grader
from grader.report import load_report, render_html, render_markdown, to_gradescope
from grader.settings import Settings

_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _echo_err(message: str) -> None:
    click.echo(message, err=True)


class _GraderGroup(click.Group):
    """Runs a command and turns grader's exceptions into one message and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GraderError as exc:
            _echo_err(f"grader: {exc}")
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            _interrupted()
            ctx.exit(EXIT_INTERRUPTED)


def _interrupted() -> None:
    """Ctrl-C / SIGTERM: stop every sandbox, remove what this process created, say so."""
    from grader.sandbox.lifecycle import CANCEL, LABEL_RUN, RUN_ID, remove_labelled

    CANCEL.set()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not stop the cleanup
    _echo_err("grader: interrupted; removing containers and networks ...")
    with contextlib.suppress(Exception):
        from grader.sandbox.client import connect

        client = connect(timeout=30)
        removed = remove_labelled(client, f"{LABEL_RUN}={RUN_ID}")
        _echo_err(f"grader: {removed.summary()}")


def _sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt()


@click.group(cls=_GraderGroup, context_settings=_CONTEXT)
@click.version_option(__version__, prog_name="grader")
def cli() -> None:
    """Grade take-home submissions in hardened Docker sandboxes.

    \b
    Example:
      grader run submission.zip --out reports/
    """


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
def run_cmd(paths: tuple[Path, ...], challenge_ref: str | None, out_dir: Path,
            jobs: int) -> None:
    """Grade submissions (each PATH a .zip, a folder, or a folder of them) and write reports.

    With more than one submission, OUT/summary.csv and OUT/index.html rank the cohort.

    \b
    Examples:
      grader run submission.zip
      grader run alice.zip bob.zip --challenge backend --out reports/ --jobs 2
      grader run tests/challenges/wordfreq/solutions/reference --challenge tests/challenges/wordfreq

    Exit code: 0 all reports written, 2 a submission was rejected (its report says which rule),
    3 the environment is not usable, 1 internal error.
    """
    challenge: Challenge | None = find_challenge(challenge_ref) if challenge_ref else None
    grader = Grader(out_dir=out_dir, challenge=challenge, settings=Settings.from_env())
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
    sys.exit(_batch_exit_code(codes))


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


def _batch_exit_code(codes: list[int]) -> int:
    for code in (EXIT_ENVIRONMENT, EXIT_INTERNAL, EXIT_REJECTED):
        if code in codes:
            return code
    return EXIT_OK


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


# -- images ---------------------------------------------------------------------------------
@cli.group("images", context_settings=_CONTEXT)
def images_group() -> None:
    """Build and inspect the images challenges need.

    \b
    Example:
      grader images build tests/challenges/wordfreq
    """


def _all_challenges() -> list[Challenge]:
    found: list[Challenge] = []
    for folder in challenge_search_path():
        if folder.is_dir():
            found += [load_challenge(d) for d in sorted(folder.iterdir())
                      if (d / "challenge.yaml").is_file()]
    return found


@images_group.command("build", context_settings=_CONTEXT)
@click.argument("challenge_refs", nargs=-1, metavar="[CHALLENGE]...")
def images_build_cmd(challenge_refs: tuple[str, ...]) -> None:
    """Build (or find cached) the images of challenges: all known ones by default.

    \b
    Examples:
      grader images build
      grader images build backend tests/challenges/wordfreq
    """
    from grader.sandbox.client import connect
    from grader.sandbox.docker_engine import DockerSandbox

    challenges = [find_challenge(r) for r in challenge_refs] or _all_challenges()
    client = connect()
    with DockerSandbox(client, Settings.from_env()) as sandbox:
        base = sandbox.base_layer()
        click.echo(f"{'built ' if base.built else 'cached'} {base.tag}  ({base.seconds:.1f} s)")
        for challenge in challenges:
            for spec in challenge.image_specs():
                built = sandbox.ensure_image(spec)
                click.echo(f"{'built ' if built.built else 'cached'} {built.tag}  "
                           f"({built.seconds:.1f} s)")


# -- kit ------------------------------------------------------------------------------------
@cli.command("validate", context_settings=_CONTEXT)
@click.argument("challenge_ref", metavar="CHALLENGE")
@click.option("--solution", "solutions", multiple=True, metavar="NAME",
              help="Validate only this solution (repeatable).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Keep the solutions' reports here (default: a temporary folder).")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Solutions graded in parallel.")
def validate_cmd(challenge_ref: str, solutions: tuple[str, ...], out_dir: Path | None,
                 jobs: int) -> None:
    """For challenge authors: check the config, build the images, grade every solution and
    check each lands in its range (solutions/expected.yaml). With --out, the reports and a
    cohort summary (index.html, summary.csv) are kept there.

    \b
    Example:
      grader validate challenges/backend
      grader validate datascience --solution reference

    Exit code: 0 every solution as expected, 1 a solution is not (named), 2 the challenge's
    configuration is invalid, 3 the environment is not usable.
    """
    import tempfile

    from grader.validate import SolutionResult, validate_challenge

    challenge = find_challenge(challenge_ref)
    with tempfile.TemporaryDirectory(prefix="grader-validate-") as tmp:
        grader = Grader(out_dir=out_dir or Path(tmp), challenge=challenge,
                        settings=Settings.from_env())

        def grade(path: Path) -> tuple[object, Path]:
            outcome = grader.grade(path)
            return outcome.report, outcome.report_dir

        def show(result: SolutionResult) -> None:
            low, high = result.expected
            mark = "ok  " if result.ok else "FAIL"
            click.echo(f"{mark} {result.name}: {result.percent}% (expected {low:g}-{high:g}%)")
            for problem in result.problems:
                click.echo(f"       - {problem}")

        results = validate_challenge(challenge, grade, list(solutions) or None,  # type: ignore[arg-type]
                                     progress=show, jobs=jobs)
        if out_dir is not None:
            write_summary(out_dir, [(load_report(r.report_dir / "report.json"), r.report_dir)
                                    for r in results if r.report_dir is not None])
    bad = [r.name for r in results if not r.ok]
    if bad:
        _echo_err(f"grader: {challenge.id}: {len(bad)} of {len(results)} solution(s) not as "
                  f"expected: {', '.join(bad)}")
        sys.exit(EXIT_INTERNAL)
    click.echo(f"{challenge.id}: all {len(results)} solution(s) as expected")


def _store() -> Any:
    from grader.store import Store, default_store_path

    path = default_store_path()
    if path is None:
        _echo_err("grader: the local store is off (GRADER_STORE=off)")
        sys.exit(EXIT_REJECTED)
    return Store(path)


@cli.command("list", context_settings=_CONTEXT)
@click.option("--challenge", "challenge_id", metavar="ID", help="Only this challenge.")
def list_cmd(challenge_id: str | None) -> None:
    """List the graded submissions kept in the local store (GRADER_STORE).

    \b
    Example:
      grader list --challenge backend
    """
    entries = _store().entries(challenge_id)
    for e in entries:
        click.echo(f"{e.id:<40} {e.challenge:<14} {e.status:<9} {e.percent:>6.1f}%  "
                   f"{e.graded_at}  {e.candidate}")
    click.echo(f"{len(entries)} submission(s)")


@cli.command("show", context_settings=_CONTEXT)
@click.argument("submission_id", metavar="ID")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md",
              show_default=True)
def show_cmd(submission_id: str, fmt: str) -> None:
    """Show a stored report (an id from `grader list`, or a unique prefix of one).

    \b
    Example:
      grader show ada-lovelace-1a2b
    """
    report = _store().report(submission_id)
    if report is None:
        _echo_err(f"grader: no stored submission {submission_id!r} (see grader list)")
        sys.exit(EXIT_REJECTED)
    text = render_markdown(report) if fmt == "md" else report.to_json()
    click.echo(text, nl=not text.endswith("\n"))


@cli.command("regrade", context_settings=_CONTEXT)
@click.argument("challenge_ref", metavar="CHALLENGE")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("reports"),
              show_default=True, help="Folder for the new reports.")
def regrade_cmd(challenge_ref: str, out_dir: Path) -> None:
    """Grade again every stored submission of a challenge (after the challenge changed),
    from the files kept in the store; prints each old and new score.

    \b
    Example:
      grader regrade backend --out reports-v2/
    """
    challenge = find_challenge(challenge_ref)
    store = _store()
    entries = [e for e in store.entries(challenge.id) if e.source_zip is not None]
    grader = Grader(out_dir=out_dir, challenge=challenge, settings=Settings.from_env(),
                    store=store)
    codes = []
    for entry in entries:
        outcome = grader.grade(entry.source_zip)
        codes.append(outcome.exit_code)
        click.echo(f"{entry.id}: {entry.percent:g}% -> {outcome.report.total.percent}%")
    click.echo(f"regraded {len(entries)} submission(s) of {challenge.id}")
    sys.exit(_batch_exit_code(codes))


@cli.command("check", context_settings=_CONTEXT)
@click.argument("folder", required=False, default=".",
                type=click.Path(exists=True, file_okay=False, path_type=Path))
def check_cmd(folder: Path) -> None:
    """For candidates, inside the unzipped kit: the intake rules, submission.yaml, the files
    graded as your own work, and the kit's public checks (no hidden material is involved).

    \b
    Example:
      cd backend-fastapi && grader check

    Exit code: 0 ready to submit, 1 something to fix (listed).
    """
    from grader.check import check_folder

    lines = check_folder(folder)
    marks = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}
    for line in lines:
        click.echo(f"{marks[line.status]} {line.text}")
        if line.detail and line.status != "ok":
            click.echo("\n".join(f"       {d}" for d in line.detail.splitlines()))
    failed = sum(1 for line in lines if line.status == "fail")
    click.echo("ready to submit" if not failed else f"{failed} thing(s) to fix")
    sys.exit(1 if failed else 0)


@cli.command("shell", context_settings=_CONTEXT)
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--challenge", "challenge_ref", metavar="ID|DIR",
              help="Challenge (default: the one named in submission.yaml).")
@click.option("-c", "command", metavar="COMMAND", help="Run this command instead of a shell.")
def shell_cmd(path: Path, challenge_ref: str | None, command: str | None) -> None:
    """Open a shell in the same sandbox the grader uses for a submission (no network, same
    image, limits and hardening; the files in /work). Everything is removed on exit.

    \b
    Example:
      grader shell submission.zip
      grader shell submission.zip -c "python -m pytest -q"
    """
    from grader.shell import open_shell

    challenge = find_challenge(challenge_ref) if challenge_ref else None
    sys.exit(open_shell(path, challenge, Settings.from_env(), command, echo=click.echo))


@cli.command("kit", context_settings=_CONTEXT)
@click.argument("challenge_ref", metavar="CHALLENGE")
@click.option("--framework", "variant", help="Which kit, when the challenge has several.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Zip to write (default: <challenge>-<framework>-kit.zip).")
def kit_cmd(challenge_ref: str, variant: str | None, output: Path | None) -> None:
    """Build the starter-kit zip a candidate downloads (never any hidden material).

    \b
    Example:
      grader kit backend --framework fastapi -o backend-fastapi.zip
    """
    from grader.kit import build_kit

    challenge = find_challenge(challenge_ref)
    name = f"{challenge.id}-{variant}-kit.zip" if variant else f"{challenge.id}-kit.zip"
    path, files = build_kit(challenge, variant, output or Path(name))
    click.echo(f"wrote {path} ({len(files)} files)")


# -- doctor ---------------------------------------------------------------------------------
@cli.command("doctor", context_settings=_CONTEXT)
def doctor_cmd() -> None:
    """Check the Docker engine, the base image and the challenge images; print fixes.

    \b
    Example:
      grader doctor

    Exit code 0 when grading can run (images not built yet are built on first use), 3 when not.
    """
    from grader.doctor import run_doctor

    problems_fatal = run_doctor(click.echo)
    sys.exit(EXIT_ENVIRONMENT if problems_fatal else EXIT_OK)


# -- gc -------------------------------------------------------------------------------------
@cli.command("gc", context_settings=_CONTEXT)
@click.option("--keep-images", is_flag=True, help="Remove containers and networks only.")
def gc_cmd(keep_images: bool) -> None:
    """Remove containers, networks and images that carry grader's label.

    \b
    Example:
      grader gc --keep-images
    """
    from grader.sandbox.client import connect
    from grader.sandbox.lifecycle import gc

    removed = gc(connect(), images=not keep_images)
    click.echo(removed.summary())
    for error in removed.errors or []:
        _echo_err(f"grader: could not remove {error}")


def main() -> None:
    """Console-script entry point."""
    signal.signal(signal.SIGTERM, _sigterm)
    try:
        cli.main(prog_name="grader", standalone_mode=True)
    except KeyboardInterrupt:  # raised outside a command (e.g. while parsing)
        _interrupted()
        sys.exit(EXIT_INTERRUPTED)


