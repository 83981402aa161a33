"""The settings every sandboxed container gets (`hardened_kwargs`): the security model of
docs/architecture.md in one place.

No network unless an internal one is given (then DNS answers only peers), memory and swap
capped together, CPU quota, pids limit, read-only root, a tmpfs /tmp, the work dir on a capped
volume, uid 1000, all capabilities dropped, no-new-privileges, a private IPC namespace, tini as
PID 1, a capped log, and grader's labels.
"""

from __future__ import annotations

import uuid
from typing import Any

import docker
from docker.types import LogConfig, Mount

from grader.sandbox.engine import RunSpec
from grader.sandbox.lifecycle import labels

SANDBOX_USER = "1000:1000"


def hardened_kwargs(spec: RunSpec, session: str, role: str,
                    work_volume: str | None = None) -> dict[str, Any]:
    """The container's settings; `work_volume`: the named volume mounted at the work dir
    (None: an anonymous one, uncapped)."""
    limits = spec.limits
    kwargs: dict[str, Any] = dict(
        image=spec.image,
        command=spec.command,
        user=SANDBOX_USER,
        working_dir=spec.workdir,
        # tini as PID 1 (`init`): reaps zombies, and forwards SIGTERM to the whole process
        # group, so `sh -c "server ..."` stops in a moment instead of at the kill timeout.
        init=True,
        environment={"HOME": "/tmp", "MPLCONFIGDIR": "/tmp", "TINI_KILL_PROCESS_GROUP": "1",
                     **spec.env},
        hostname="sandbox",
        read_only=True,
        tmpfs={"/tmp": f"rw,nosuid,nodev,size={limits.tmpfs_mb}m,mode=1777"},
        mounts=[Mount(target=spec.workdir, source=work_volume, type="volume")],
        cap_drop=["ALL"],
        security_opt=["no-new-privileges"],
        mem_limit=f"{limits.memory_mb}m",
        memswap_limit=f"{limits.memory_mb}m",
        nano_cpus=int(limits.cpus * 1e9),
        pids_limit=limits.pids,
        ipc_mode="private",
        # The json-file log only backs `logs_tail` of services; it is capped on disk too.
        log_config=LogConfig(type="json-file", config={"max-size": "2m", "max-file": "1"}),
        labels=labels(session, role),
        name=f"grader-{session}-{spec.name_hint}-{uuid.uuid4().hex[:6]}",
        detach=True,
        stdin_open=False,
        tty=False,
    )
    if spec.network is None:
        kwargs["network_mode"] = "none"
    else:
        kwargs["network"] = spec.network.name
        # Peers resolve through the engine's embedded DNS; everything else goes to a loopback
        # upstream inside the container, where nothing answers. Engines before 25.0.5 forward
        # an internal network's outside lookups from the host's namespace when the host's
        # resolver is on loopback (CVE-2024-29018): a way out by DNS. This closes it on any
        # engine.
        kwargs["dns"] = ["127.0.0.1"]
        if spec.alias:
            kwargs["networking_config"] = {
                spec.network.name: docker.types.EndpointConfig(
                    version="1.41", aliases=[spec.alias])}
    return kwargs
