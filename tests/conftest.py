"""Shared fixtures. Integration tests (marked `docker`) need a real Docker engine.

When GRADER_REQUIRE_DOCKER=1 (set by scripts/test.sh, hence CI), a missing engine FAILS the
docker tests instead of skipping them: a skipped integration test proves nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
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


@pytest.fixture(scope="session")
def _store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty store with the schema migrated, made once per test process (in a process of
    its own, so every connection to it is closed and its write-ahead log folded in before it
    is copied): migrating a new store costs about 0.3 s, copying this one a few ms."""
    template = tmp_path_factory.mktemp("store-template") / "grader.db"
    code = "import sys; from pathlib import Path; from grader.store import Store; " \
           "Store(Path(sys.argv[1])).entries()"
    subprocess.run([sys.executable, "-c", code, str(template)], check=True, cwd=ROOT,
                   env={**os.environ, "GRADER_STORE": str(template)}, timeout=120)
    return template


@pytest.fixture(autouse=True)
def _private_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
                   _store_template: Path) -> None:
    """Each test gets its own local store (never the user's), so stored results of one test
    never show up in another's similarity checks or listings: a copy of the migrated
    template (the store a test opens at that path is then a fresh, empty one)."""
    folder = tmp_path_factory.mktemp("store")
    shutil.copyfile(_store_template, folder / "grader.db")
    monkeypatch.setenv("GRADER_STORE", str(folder / "grader.db"))
