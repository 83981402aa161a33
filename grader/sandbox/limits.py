"""Resource limits of one sandboxed container run (memory, CPU, pids, wall clock, output).

A challenge declares its defaults in challenge.yaml (`limits:`); a track may tighten or widen
them per run with `Limits.merged(...)`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed container run."""

    memory_mb: int = 512
    cpus: float = 1.0
    pids: int = 128
    timeout_seconds: float = 60.0
    output_kb: int = 256
    tmpfs_mb: int = 64
    #: the work dir's size: a tmpfs volume (see grader/sandbox/workdir.py)
    work_mb: int = 512

    def merged(self, **overrides: Any) -> Limits:
        """These limits with `overrides` (None values ignored) applied."""
        return dataclasses.replace(self, **{k: v for k, v in overrides.items()
                                            if v is not None})
