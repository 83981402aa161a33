"""What a dead worker left on its Docker host, removed when the next worker starts there.

Every container, work volume and network a `grader worker` makes carries the label
`grader.worker=<its node name>/<deployment>` (grader/sandbox/lifecycle.py, from
GRADER_WORKER), the deployment being a digest of the broker and the store the worker serves
(`deployment()`): workers of another deployment sharing the engine (another team's queue, a
test, a benchmark) answer another broker's pings and beat in another database, so they are
never judged, and their resources never touched. A worker killed with SIGKILL (or whose
host lost power) cannot remove them; the next worker that starts
on the same engine lists the labelled resources and removes those of every worker that is
dead: it answers no ping through the broker, and no job in the store has a fresh heartbeat
from it. Both must hold, so a live worker that is slow to answer a ping (a busy host) keeps
its containers. A worker starting under the name of a dead one (a restarted container keeps
its host name) removes that one's resources whatever the store says: the ping said no worker
of that name is alive, and this one is taking the name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import Counter

import docker

from grader.sandbox.lifecycle import LABEL_WORKER, Removed, remove_labelled

log = logging.getLogger("grader.jobs")


def deployment(broker_url: str, store_description: str) -> str:
    """A short digest naming the broker and the store workers serve (passwords left out)."""
    from kombu.utils.url import maybe_sanitize_url

    text = f"{maybe_sanitize_url(broker_url)}|{store_description}"
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def worker_label(node: str, deployment_id: str) -> str:
    """The value of a worker's label: `<node>/<deployment>`."""
    return f"{node}/{deployment_id}"


def labelled_workers(client: docker.DockerClient) -> Counter[str]:
    """label value (`<node>/<deployment>`) -> how many containers, volumes and networks on
    this engine carry it."""
    found: Counter[str] = Counter()
    every = [*client.api.containers(all=True, filters={"label": LABEL_WORKER}),
             *(client.api.volumes(filters={"label": LABEL_WORKER}).get("Volumes") or []),
             *client.api.networks(filters={"label": LABEL_WORKER})]
    for resource in every:
        value = (resource.get("Labels") or {}).get(LABEL_WORKER, "")
        if value:
            found[value] += 1
    return found


def of_deployment(found: Counter[str], deployment_id: str) -> Counter[str]:
    """The workers of one deployment among labelled_workers(): node name -> count."""
    suffix = f"/{deployment_id}"
    return Counter({value.removesuffix(suffix): n for value, n in found.items()
                    if value.endswith(suffix) and len(value) > len(suffix)})


def dead_workers(found: Counter[str], alive: set[str], fresh: set[str], me: str) -> list[str]:
    """The workers among `found` whose resources are to go: not answering (`alive`: the
    broker's ping) and no fresh heartbeat in the store (`fresh`); `me` (the name this worker
    takes) whatever its heartbeat, unless a live worker answers to it."""
    return sorted(name for name in found
                  if name not in alive and (name == me or name not in fresh))


def fresh_workers(alias: str, stale_after: dt.timedelta) -> set[str]:
    """Workers that beat on a job within `stale_after`, according to the store."""
    from django.utils import timezone

    from grader.db.models import Job, JobState

    since = timezone.now() - stale_after
    return set(Job.objects.using(alias).filter(state=JobState.GRADING, heartbeat_at__gte=since)
               .values_list("worker", flat=True).distinct())


def remove_dead(client: docker.DockerClient, alive: set[str], fresh: set[str], me: str,
                deployment_id: str) -> dict[str, Removed]:
    """Remove the resources of this deployment's dead workers from this engine; what was
    removed, per worker."""
    removed: dict[str, Removed] = {}
    ours = of_deployment(labelled_workers(client), deployment_id)
    for name in dead_workers(ours, alive, fresh, me):
        done = remove_labelled(client, f"{LABEL_WORKER}={worker_label(name, deployment_id)}")
        removed[name] = done
        log.warning("grader: worker %s is gone: %s%s", name, done.summary(),
                    f" ({'; '.join(done.errors)})" if done.errors else "")
    return removed
