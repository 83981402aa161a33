"""pytest plugin for hidden suites: writes one JSON record per test to results.json.

Runs inside the tester container, next to the hidden tests. Tests record their HTTP exchanges
through the `recorder` fixture (see `http_client.py` in a challenge's hidden suite, or any
object with an `exchanges` list); the last few are kept as evidence for a failed test.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

RESULTS: list[dict[str, Any]] = []
_EXCHANGES: dict[str, list[dict[str, Any]]] = {}
_CURRENT: list[str] = [""]
_SKIP_REASON = os.environ.get("GRADER_SKIP_ALL", "")


def record_exchange(exchange: dict[str, Any]) -> None:
    """Called by the hidden suite's HTTP client for every request it makes."""
    items = _EXCHANGES.setdefault(_CURRENT[0], [])
    items.append(exchange)
    del items[:-5]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "points(n): weight of this test in its criterion")
    config.addinivalue_line("markers", "after_restart: runs after the server restarted")


def pytest_runtest_setup(item: pytest.Item) -> None:
    _CURRENT[0] = item.nodeid
    if _SKIP_REASON:
        pytest.skip(_SKIP_REASON)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        message = ""
        if report.outcome == "failed":
            crash = getattr(report.longrepr, "reprcrash", None)
            message = crash.message if crash is not None else str(report.longrepr)[-2000:]
        elif report.outcome == "skipped" and isinstance(report.longrepr, tuple):
            message = str(report.longrepr[2])
        doc = (item.function.__doc__ or "").strip().splitlines()  # type: ignore[attr-defined]
        weight = item.get_closest_marker("points")
        RESULTS.append({
            "nodeid": item.nodeid,
            "outcome": report.outcome if report.when == "call" else (
                "skipped" if report.outcome == "skipped" else "error"),
            "duration": round(report.duration, 3),
            "message": message[:4000],
            "title": doc[0] if doc else "",
            "points": float(weight.args[0]) if weight and weight.args else 1.0,
            "exchanges": _EXCHANGES.get(item.nodeid, [])[-3:],
        })


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    path = Path(os.environ.get("GRADER_RESULTS", "results.json"))
    path.write_text(json.dumps({"finished_at": time.time(), "exit_status": int(exitstatus),
                                "tests": RESULTS}))
