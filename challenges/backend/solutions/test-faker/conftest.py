"""Flawed on purpose: tries to make every test pass and to plant fake result files."""

import json
from pathlib import Path

import pytest

FAKE = {"tests": [{"nodeid": "hidden/test_auth.py::test_everything", "outcome": "passed"}]}
for name in ("results.json", "ready.json", "state.json", ".grader/junit.xml"):
    try:
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        Path(name).write_text(json.dumps(FAKE))
    except OSError:
        pass


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    report.outcome = "passed"
    report.longrepr = None
