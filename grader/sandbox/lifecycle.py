"""Labels, cancellation and garbage collection of everything grader creates in the engine.

Every container, volume, network and image grader makes carries LABEL_MANAGED; containers,
volumes and networks also carry the id of the grader process (LABEL_RUN) and of the grading
session (LABEL_SESSION). A session removes its own resources when it closes; the CLI removes
the whole run's on the way out (even after Ctrl-C); `grader gc` removes anything left by a
crash.
"""

from __future__ import annotations

import os
import threading
import uuid
from dataclasses import dataclass, field

import docker
from docker.errors import APIError, NotFound

LABEL_MANAGED = "grader.managed"
LABEL_RUN = "grader.run"
LABEL_SESSION = "grader.session"
LABEL_ROLE = "grader.role"
LABEL_CONTENT_HASH = "grader.content-hash"
#: Optional: who asked for the grading (GRADER_OWNER), inherited by every grader process it
#: starts. The test suite sets it so that its leftover checks see only its own resources,
#: whatever else uses the engine.
LABEL_OWNER = "grader.owner"
#: Optional: the `grader worker` whose grading made it, `<node>/<deployment>` (GRADER_WORKER,
#: set by the worker process): the next worker of the same deployment started on the same
#: engine removes what a dead one left (grader/jobs/cleanup.py).
LABEL_WORKER = "grader.worker"

#: Identifies this grader process; every container and network it creates carries it.
RUN_ID = uuid.uuid4().hex[:12]

#: Set when grading must stop (Ctrl-C, SIGTERM): sandboxes stop waiting and clean up.
CANCEL = threading.Event()


class Cancelled(KeyboardInterrupt):
    """Raised inside a sandbox when CANCEL is set: grading stops like on Ctrl-C, and every
    `finally` on the way out removes what it made."""


def labels(session: str, role: str) -> dict[str, str]:
    found = {LABEL_MANAGED: "1", LABEL_RUN: RUN_ID, LABEL_SESSION: session, LABEL_ROLE: role}
    owner = os.environ.get("GRADER_OWNER", "")
    if owner:
        found[LABEL_OWNER] = owner[:64]
    worker = os.environ.get("GRADER_WORKER", "")
    if worker:
        found[LABEL_WORKER] = worker[:200]
    return found


@dataclass
class Removed:
    containers: int = 0
    volumes: int = 0
    networks: int = 0
    images: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"removed {self.containers} container(s), {self.volumes} volume(s), "
                f"{self.networks} network(s), {self.images} image(s)")


def remove_labelled(client: docker.DockerClient, label: str, images: bool = False) -> Removed:
    """Force-remove containers (with their anonymous volumes), work volumes and networks
    matching `label` (e.g. "grader.session=abc"), and optionally images. Never raises for a
    resource that is already gone."""
    errors: list[str] = []
    removed = Removed(errors=errors)
    for container in _containers(client, label):
        try:
            client.api.remove_container(container["Id"], force=True, v=True)
            removed.containers += 1
        except NotFound:
            pass
        except APIError as exc:
            errors.append(f"container {container['Id'][:12]}: {exc.explanation or exc}")
    for volume in _volumes(client, label):
        try:
            client.api.remove_volume(volume["Name"], force=True)
            removed.volumes += 1
        except NotFound:
            pass
        except APIError as exc:
            errors.append(f"volume {volume['Name']}: {exc.explanation or exc}")
    for network in client.networks.list(filters={"label": label}):
        try:
            network.remove()
            removed.networks += 1
        except NotFound:
            pass
        except APIError as exc:
            errors.append(f"network {network.name}: {exc.explanation or exc}")
    if images:
        for image in client.images.list(filters={"label": label}):
            try:
                client.images.remove(image.id, force=True)
                removed.images += 1
            except NotFound:
                pass
            except APIError as exc:
                errors.append(f"image {image.short_id}: {exc.explanation or exc}")
    return removed


def _containers(client: docker.DockerClient, label: str) -> list[dict]:
    """Containers matching `label`, from one list call: no per-container inspect, which would
    race with containers being removed meanwhile."""
    return list(client.api.containers(all=True, filters={"label": label}))


def _volumes(client: docker.DockerClient, label: str) -> list[dict]:
    return list(client.api.volumes(filters={"label": label}).get("Volumes") or [])


def gc(client: docker.DockerClient, images: bool = True) -> Removed:
    """Remove every container, network (and image) carrying grader's label; with GRADER_OWNER
    set, only the containers and networks of that owner (images are shared: kept)."""
    owner = os.environ.get("GRADER_OWNER", "")
    if owner:
        return remove_labelled(client, f"{LABEL_OWNER}={owner[:64]}", images=False)
    return remove_labelled(client, f"{LABEL_MANAGED}=1", images=images)


def leftovers(client: docker.DockerClient, label: str = f"{LABEL_MANAGED}=1") -> list[str]:
    """Names of containers, volumes and networks still carrying `label` (for tests and
    doctor)."""
    names = [f"container {(c.get('Names') or ['?'])[0].lstrip('/')}"
             for c in _containers(client, label)]
    names += [f"volume {v['Name']}" for v in _volumes(client, label)]
    names += [f"network {n.name}" for n in client.networks.list(filters={"label": label})]
    return names
