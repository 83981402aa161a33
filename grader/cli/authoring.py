"""Verbs for challenge authors: `grader validate`, `grader images build`, `grader kit`,
`grader versions`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from grader.batch import write_summary
from grader.challenge import Challenge, challenge_search_path, find_challenge, load_challenge
from grader.cli.app import _CONTEXT, _echo_err, cli
from grader.errors import EXIT_INTERNAL, ChallengeConfigError
from grader.pipeline import Grader
from grader.report import load_report
from grader.settings import Settings


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
    from grader.versions import lock_problems

    challenge = find_challenge(challenge_ref)
    problems = lock_problems(challenge)
    if problems:  # a label that names two kits would grade candidates against the wrong one
        raise ChallengeConfigError(problems[0])
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
    from grader.report.model import now
    from grader.store import default_store
    from grader.version_store import keep
    from grader.versions import current_version

    challenge = find_challenge(challenge_ref)
    name = f"{challenge.id}-{variant}-kit.zip" if variant else f"{challenge.id}-kit.zip"
    path, files = build_kit(challenge, variant, output or Path(name))
    version = current_version(challenge)
    if version is not None:  # so its candidates are graded on it
        keep(default_store(), challenge, version, now())
    click.echo(f"wrote {path} ({len(files)} files)"
               + (f", challenge version {version.name}" if version else ""))


# -- versions -------------------------------------------------------------------------------
@cli.group("versions", context_settings=_CONTEXT)
def versions_group() -> None:
    """The versions of a challenge's kit (docs/challenge-yaml.md, "Versions").

    \b
    Examples:
      grader versions list datascience
      grader versions lock challenges/datascience
    """


@versions_group.command("lock", context_settings=_CONTEXT)
@click.argument("challenge_ref", metavar="CHALLENGE")
def versions_lock_cmd(challenge_ref: str) -> None:
    """Record the kit the current `version` label stands for in the challenge's
    versions.yaml; refused (exit 2) when that label already names another kit."""
    from grader.versions import lock_path, lock_version

    challenge = find_challenge(challenge_ref)
    version, new = lock_version(challenge)
    click.echo(f"{'locked' if new else 'already locked'}: version {version.name} in "
               f"{lock_path(challenge)}")


@versions_group.command("list", context_settings=_CONTEXT)
@click.argument("challenge_ref", metavar="CHALLENGE")
def versions_list_cmd(challenge_ref: str) -> None:
    """The locked versions of a challenge, the current one, and which the local store keeps
    (a submission made on a kept version is graded against it)."""
    from grader.store import default_store
    from grader.versions import current_version, locked_versions

    challenge = find_challenge(challenge_ref)
    current = current_version(challenge)
    store = default_store()
    kept = {d for _, d, _, _ in store.kept_versions(challenge.id)} if store else set()
    for version in locked_versions(challenge).values():
        marks = [m for m, on in (("current", current is not None and current.digest
                                  == version.digest), ("kept", version.digest in kept)) if on]
        click.echo(f"{version.name}  {', '.join(marks)}")
    if current is None:
        click.echo(f"{challenge.id} has no starter kit: no versions")
    elif current.label not in locked_versions(challenge):
        click.echo(f"{current.name}  current, not locked (grader versions lock)")
