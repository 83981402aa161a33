"""A size-capped work folder for one sandboxed container: a tmpfs volume kept by a holder.

Docker's own ways to cap a container's writable space (`--storage-opt size=`) need overlay2 on
xfs with project quotas, which most engines (and this repository's CI) do not have; an
anonymous volume grows until the engine's disk is full. So the work dir is a `local` volume of
type tmpfs with `size=<work_mb>m`: writes past the size fail with ENOSPC inside the sandbox,
and nothing reaches the engine's disk.

A tmpfs volume is mounted when a container using it starts and unmounted, with its content,
when the last one stops. Files go in before the candidate's container starts (put_archive) and
come out after it stopped (get_archive), so a *holder* container (the same image, `sleep`, no
network, no capabilities, a few MiB of memory) keeps the volume mounted from before the first
copy until grader removes it. A restarted service finds its files again, as on a disk.

Pages written to the tmpfs are charged to the memory limit of the container that writes them:
a candidate who fills the work dir uses memory, and is stopped at whichever limit comes first.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass

import docker
import requests
from docker.errors import APIError, NotFound
from docker.models.containers import Container

from grader.errors import SandboxError
from grader.sandbox.lifecycle import labels

SANDBOX_UID = 1000


@dataclass
class WorkVolume:
    """A capped work volume and the container that keeps it mounted."""

    name: str
    holder: Container | None

    def remove(self, client: docker.DockerClient) -> None:
        """Remove the holder, then the volume; never raises for what is already gone."""
        quiet = (NotFound, APIError, requests.exceptions.RequestException)
        if self.holder is not None:
            with contextlib.suppress(*quiet):
                self.holder.remove(force=True, v=True)
        with contextlib.suppress(*quiet):
            client.api.remove_volume(self.name, force=True)


def create(client: docker.DockerClient, *, image: str, session: str, name_hint: str,
           size_mb: int, target: str) -> WorkVolume:
    """A tmpfs volume of `size_mb` MiB owned by the sandbox uid, mounted at `target` in a
    running holder container. Raises SandboxError when the engine refuses either."""
    name = f"grader-{session}-{name_hint}-work-{uuid.uuid4().hex[:6]}"
    options = {"type": "tmpfs", "device": "tmpfs",
               "o": f"size={size_mb}m,uid={SANDBOX_UID},gid={SANDBOX_UID},mode=0755,"
                    "nosuid,nodev"}
    volume = WorkVolume(name=name, holder=None)
    try:
        client.api.create_volume(name=name, driver="local", driver_opts=options,
                                 labels=labels(session, "work-volume"))
        volume.holder = client.containers.create(
            image=image, command=["sleep", "infinity"], user=f"{SANDBOX_UID}:{SANDBOX_UID}",
            init=True, read_only=True, network_mode="none", cap_drop=["ALL"],
            security_opt=["no-new-privileges"], mem_limit="32m", memswap_limit="32m",
            pids_limit=8, nano_cpus=int(0.1 * 1e9), labels=labels(session, "work-holder"),
            name=f"{name}-holder", detach=True,
            mounts=[docker.types.Mount(target=target, source=name, type="volume")])
        volume.holder.start()
    except (APIError, requests.exceptions.RequestException) as exc:
        volume.remove(client)
        detail = exc.explanation if isinstance(exc, APIError) else exc
        raise SandboxError(f"could not make a {size_mb} MiB work folder: {detail}") from exc
    return volume
