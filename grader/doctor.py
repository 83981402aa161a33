"""`grader doctor`: is this machine ready to grade? Each problem comes with its fix."""

from __future__ import annotations

import os
from collections.abc import Callable

from docker.errors import ImageNotFound

from grader.challenge import challenge_search_path, load_challenge
from grader.errors import ChallengeConfigError, EnvironmentProblem
from grader.sandbox import images
from grader.sandbox.client import connect
from grader.sandbox.engine import BuildSpec
from grader.sandbox.hostcheck import MIN_FREE_BYTES, dns_note, free_disk
from grader.sandbox.lifecycle import leftovers
from grader.secrets import SECRETS_FILE, secrets_for
from grader.settings import OFFLINE_BASE_IMAGE, Settings


def run_doctor(echo: Callable[[str], None]) -> bool:
    """Print one line per check ("ok", "warn" or "FAIL" with a fix). True if grading can't run."""
    settings = Settings.from_env()
    fatal = False
    try:
        client = connect(timeout=30)
    except EnvironmentProblem as exc:
        echo(f"FAIL docker engine: {exc}")
        return True
    info = client.version()
    echo(f"ok   docker engine {info.get('Version')} (API {info.get('ApiVersion')})")
    note = dns_note(str(info.get("Version") or ""))
    if note:
        echo(f"ok   {note}")
    disk = free_disk(client.info())
    if disk is not None:
        root, free = disk
        if free < MIN_FREE_BYTES:
            fatal = True
            echo(f"FAIL only {free / 1024**3:.1f} GiB free in {root}: submissions write there\n"
                 f"     fix: free some disk (grader gc, docker system prune)")
        else:
            echo(f"ok   {free / 1024**3:.0f} GiB free in {root}")

    try:
        base_id = client.images.get(settings.base_image).id
        echo(f"ok   base image {settings.base_image} ({base_id[7:19]})")
    except ImageNotFound:
        base_id = None
    if base_id is None and not settings.base_image_explicit:
        try:
            base_id = client.images.get(OFFLINE_BASE_IMAGE).id
            echo(f"ok   base image {settings.base_image} is not here; using the offline-built "
                 f"{OFFLINE_BASE_IMAGE} ({base_id[7:19]})")
        except ImageNotFound:
            pass
    if base_id is None:
        fatal = True
        echo(f"FAIL base image {settings.base_image} is not on this engine\n"
             f"     fix: docker pull {settings.base_image}, or without a registry: "
             f"bash scripts/build-offline-base.sh && "
             f"export GRADER_BASE_IMAGE={OFFLINE_BASE_IMAGE}")
    echo(f"ok   CA bundle for builds: {settings.ca_bundle}" if settings.ca_bundle else
         "warn no CA bundle found for image builds (GRADER_CA_BUNDLE); pip in builds may fail")

    base_tag = None
    if base_id is not None:
        spec = images.base_layer_spec(base_id, settings)
        base_tag, _, image_id = images.find_cached(client, spec)
        echo(f"ok   grader base layer {base_tag}" if image_id else
             "warn grader base layer not built yet (built on first use)\n"
             "     fix: grader images build")

    for folder in challenge_search_path():
        if not folder.is_dir():
            continue
        for sub in sorted(folder.iterdir()):
            if not (sub / "challenge.yaml").is_file():
                continue
            try:
                challenge = load_challenge(sub)
            except ChallengeConfigError as exc:
                echo(f"FAIL challenge {sub.name}: {exc}")
                fatal = True
                continue
            echo(f"ok   challenge {challenge.id} ({challenge.track}) in {sub}")
            if os.environ.get("GRADER_SECRETS", "") and not secrets_for(challenge.id)[0]:
                echo(f"warn challenge {challenge.id} has no entry in GRADER_SECRETS' "
                     f"{SECRETS_FILE}: it is graded with the hidden material bundled in the "
                     "repository\n     fix: add its seeds and hidden tests (docs/security.md)")
            if base_tag is None:
                continue
            for spec in challenge.image_specs():
                full = BuildSpec(name=spec.name, dockerfile=spec.dockerfile,
                                 context=spec.context,
                                 build_args={"BASE_IMAGE": base_tag, **spec.build_args})
                tag, _, image_id = images.find_cached(client, full)
                echo(f"ok   image {tag}" if image_id else
                     f"warn image {spec.name} not built yet (built on first use, slower)\n"
                     f"     fix: grader images build {challenge.id}")

    secrets = os.environ.get("GRADER_SECRETS", "")
    if not secrets:
        echo("warn GRADER_SECRETS is not set: challenges are graded with the hidden tests, "
             "seeds and holdouts bundled in the repository, which candidates can read\n"
             "     fix: for real hiring, keep your own in a folder (docs/security.md) and set "
             "GRADER_SECRETS")
    left = leftovers(client)
    if left:
        echo(f"warn {len(left)} leftover grader resource(s): {', '.join(left[:5])}\n"
             "     fix: grader gc --keep-images")
    else:
        echo("ok   no leftover containers or networks")
    return fatal
