"""Connecting to the Docker engine, with an error that says how to start one."""

from __future__ import annotations

import os

import docker
from docker.errors import DockerException

from grader.errors import EnvironmentProblem

START_HINT = ("start a Docker engine: on Debian as root run 'bash scripts/ensure-docker.sh' "
              "(installs docker.io and starts dockerd), or point DOCKER_HOST at a running engine")


def connect(timeout: int = 120) -> docker.DockerClient:
    """A client for the engine named by DOCKER_HOST (or the local socket) that answered ping."""
    where = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    try:
        client = docker.from_env(timeout=timeout)
        client.ping()
    except DockerException as exc:
        raise EnvironmentProblem(
            f"No Docker engine answers at {where} ({_first_line(exc)}).", fix=START_HINT) from None
    except Exception as exc:  # requests/urllib3 errors surface in several types
        raise EnvironmentProblem(
            f"No Docker engine answers at {where} ({_first_line(exc)}).", fix=START_HINT) from None
    return client


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
