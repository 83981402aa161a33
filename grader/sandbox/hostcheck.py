"""Facts about the engine's host that decide whether grading is safe to start: free disk
where the engine keeps containers and volumes, and whether the engine's version has a known
isolation flaw grader works around."""

from __future__ import annotations

import os
import re
from typing import Any

#: Below this, a grading run is refused (a submission's work folder lives on this disk).
MIN_FREE_BYTES = 2 * 1024**3


def free_disk(info: dict[str, Any]) -> tuple[str, int] | None:
    """(the engine's data folder, free bytes there) when it is on this machine; None when
    the engine is remote or the folder is not readable here."""
    root = str(info.get("DockerRootDir") or "/var/lib/docker")
    if os.environ.get("DOCKER_HOST", "").startswith(("ssh://", "tcp://")):
        return None
    try:
        stats = os.statvfs(root)
    except OSError:
        return None
    return root, stats.f_bavail * stats.f_frsize


def dns_note(version: str) -> str:
    """What grader does about CVE-2024-29018 on this engine version ("" when not affected)."""
    match = re.match(r"(\d+)\.(\d+)\.(\d+)", version or "")
    if not match:
        return ""
    major, minor, patch = (int(x) for x in match.groups())
    fixed = (major, minor, patch) >= (26, 0, 2) or (major == 25 and (minor, patch) >= (0, 5))
    if fixed:
        return ""
    return (f"engine {version} forwards an internal network's outside DNS lookups from the "
            "host when the host's resolver is on loopback (CVE-2024-29018); grader sets every "
            "networked container's DNS to a loopback upstream inside it, which closes that")
