"""Fixtures for tests against a real Docker engine: a sandbox session, the base layer, and a
check after every test that grader left no container or network behind."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from grader.sandbox.docker_engine import DockerSandbox
from grader.sandbox.lifecycle import LABEL_OWNER, leftovers
from grader.sandbox.limits import Limits
from grader.settings import Settings
from tests.conftest import OWNER
from tests.integration import graded


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "integration" in item.path.parts:
            item.add_marker(pytest.mark.docker)


@pytest.fixture(scope="session", autouse=True)
def shared_gradings(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Where each bundled solution is graded once for the whole run (tests/integration/
    graded.py): the run's base temporary folder, which every xdist worker's own sits in."""
    base = tmp_path_factory.getbasetemp()
    graded.SHARED_ROOT[:] = [base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base]


@pytest.fixture(autouse=True)
def no_leftovers(docker_client: object) -> Iterator[None]:
    """After each integration test: no container or network with grader's label remains."""
    yield
    left = leftovers(docker_client, f"{LABEL_OWNER}={OWNER}")  # type: ignore[arg-type]
    assert left == [], f"grader left resources behind: {left}"


@pytest.fixture
def sandbox(docker_client: object) -> Iterator[DockerSandbox]:
    with DockerSandbox(docker_client, Settings.from_env()) as box:  # type: ignore[arg-type]
        yield box


@pytest.fixture(scope="session")
def base_tag(docker_client: object) -> str:
    with DockerSandbox(docker_client, Settings.from_env()) as box:  # type: ignore[arg-type]
        return box.base_layer().tag


@pytest.fixture
def limits() -> Limits:
    return Limits(memory_mb=128, cpus=1.0, pids=64, timeout_seconds=20, output_kb=64,
                  tmpfs_mb=16)
