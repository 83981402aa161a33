"""The sandbox: untrusted code runs here, in hardened Docker containers.

Tracks use the engine-neutral interface in `engine` (Sandbox, RunSpec, RunResult, ...);
`docker_engine.DockerSandbox` implements it with the Docker SDK.
"""

from grader.sandbox.engine import (
    BuildSpec,
    BuiltImage,
    Network,
    RunResult,
    RunSpec,
    Sandbox,
    Service,
)

__all__ = ["BuildSpec", "BuiltImage", "Network", "RunResult", "RunSpec", "Sandbox", "Service"]
