"""`grader shell`: a shell in the very sandbox the grader uses, to debug one submission.

The submission goes through the same intake; the container is the challenge's main image
(the first image role its track runs, else the first image of challenge.yaml) plus the submission's
dependency layer, with the same hardening and limits and no network, the submission's files
in /work. Interactive shells use `docker exec -it` (the Docker CLI); `-c COMMAND` runs one
command through the SDK and prints its output. Everything is removed on exit, Ctrl-C included.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from grader.challenge import Challenge, find_challenge
from grader.errors import EnvironmentProblem, ImageBuildError, InputRejected
from grader.intake import open_submission
from grader.pipeline import intake_limits_for
from grader.registry import get_track
from grader.sandbox.client import connect
from grader.sandbox.docker_engine import DockerSandbox
from grader.sandbox.engine import RunSpec
from grader.settings import Settings
from grader.tracks.steps.dependencies import build_dependency_layer, read_dependencies


def main_image_name(challenge: Challenge) -> str:
    """The image the candidate's code runs in: the track's first image role."""
    roles = get_track(challenge.track).images(challenge.config)
    if roles:
        return roles[0]
    if not challenge.images:
        raise EnvironmentProblem(f"challenge {challenge.id} declares no image to open a "
                                 "shell in", fix="add an image to its challenge.yaml")
    return next(iter(challenge.images))


def open_shell(path: Path, challenge: Challenge | None, settings: Settings,
               command: str | None, echo: object = print) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="grader-shell-"))
    try:
        submission = open_submission(path, workdir,
                                     challenge.intake if challenge else intake_limits_for(path))
        challenge = challenge or find_challenge(submission.manifest.challenge, allow_path=False)
        spec = challenge.image_spec(main_image_name(challenge))
        with DockerSandbox(connect(), settings) as sandbox:
            image = sandbox.ensure_image(spec).tag
            deps = read_dependencies(submission.root)
            if deps.requirements:
                try:
                    image = build_dependency_layer(sandbox, image, f"{challenge.id}-deps",
                                                   deps).tag
                except ImageBuildError as exc:
                    echo(f"warning: {deps.source} does not install ({exc}); the shell runs "  # type: ignore[operator]
                         "on the challenge image alone")
            service = sandbox.start(RunSpec(
                image=image, command=["sleep", "infinity"], limits=challenge.limits.merged(
                    timeout_seconds=24 * 3600), name_hint="shell",
                files={rel: submission.root / rel for rel in submission.files}))
            if command is not None:
                done = service.exec(["/bin/sh", "-c", command])
                if done is None:
                    raise EnvironmentProblem("this engine cannot run a command in a container",
                                             fix="use the Docker engine")
                code, output = done
                echo(output.decode("utf-8", "replace").rstrip("\n"))  # type: ignore[operator]
                return code
            docker = shutil.which("docker")
            if docker is None:
                raise EnvironmentProblem("an interactive shell needs the docker CLI",
                                         fix="install docker.io, or use -c COMMAND")
            echo(f"shell in {image} (no network, limits of {challenge.id}); exit to "  # type: ignore[operator]
                 "remove it")
            return subprocess.call([docker, "exec", "-it", "-w", "/work",
                                    service.container_id, "/bin/sh"])  # type: ignore[attr-defined]
    except InputRejected as exc:
        echo(f"grader: the submission is refused [{exc.rule}]: {exc}")  # type: ignore[operator]
        return 2
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
