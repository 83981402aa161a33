"""Shared fixtures. Integration tests (marked `docker`) need a real Docker engine.

When GRADER_REQUIRE_DOCKER=1 (set by scripts/test.sh, hence CI), a missing engine FAILS the
docker tests instead of skipping them: a skipped integration test proves nothing.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# Challenge folders and hostile cases hold candidates' code (their own test files included):
# never collect them.
collect_ignore = ["challenges", "hostile"]

ROOT = Path(__file__).resolve().parent.parent
# Everything this test session (and the grader processes it starts) creates in the engine
# carries this owner label, so leftover checks look at this session's resources only. Under
# pytest-xdist each worker is its own owner: one worker's leftover check never sees the
# containers another worker is running at that moment.
_BASE_OWNER = os.environ.get("GRADER_OWNER") or f"pytest-{uuid.uuid4().hex[:10]}"
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
OWNER = f"{_BASE_OWNER.removesuffix(f'-{_WORKER}')}-{_WORKER}" if _WORKER else _BASE_OWNER
os.environ["GRADER_OWNER"] = OWNER
TEST_CHALLENGE = ROOT / "tests" / "challenges" / "wordfreq"


@pytest.fixture(scope="session")
def docker_client() -> Iterator[object]:
    from grader.errors import EnvironmentProblem
    from grader.sandbox.client import connect

    try:
        client = connect(timeout=120)
    except EnvironmentProblem as exc:
        if os.environ.get("GRADER_REQUIRE_DOCKER") == "1":
            pytest.fail(f"Docker engine required (GRADER_REQUIRE_DOCKER=1): {exc}")
        pytest.skip(f"no Docker engine: {exc}")
    yield client
    client.close()


@pytest.fixture(autouse=True)
def _private_store(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own local store (never the user's), so stored results of one test
    never show up in another's similarity checks or listings."""
    monkeypatch.setenv("GRADER_STORE", str(tmp_path_factory.mktemp("store") / "grader.db"))
