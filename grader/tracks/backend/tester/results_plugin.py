"""pytest plugin for hidden suites: writes one JSON record per test to results.json.

Runs inside the tester container, next to the hidden tests. Tests record their HTTP exchanges
with `record_exchange`; the last few are kept as evidence for a failed test. A test may also
say what it saw when it passed (`note`: "refused with 404, not a token") and point at the
candidate's code it judged (`point_at`: the file:line of a signing key it tried).

Outcomes: passed, failed, skipped, error (the test itself broke), and not_run: the test could
not run because something it depends on did not happen. That is every test when the server
never answered (GRADER_SKIP_ALL, with GRADER_BLOCKED_BY naming the check that failed), a test
whose fixture setup failed (the request it needed was refused, the server was gone), or a test
that calls `not_run(reason, blocked_by)` itself (the after-restart test when no note was stored
before the restart), and every test not started before GRADER_DEADLINE (the grading budget).
results.json is rewritten after every test, so a tester stopped half-way leaves what it saw.
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
_NOTES: dict[str, list[str]] = {}
_WHERE: dict[str, dict[str, Any]] = {}
_CURRENT: list[str] = [""]
_SKIP_REASON = os.environ.get("GRADER_SKIP_ALL", "")
_BLOCKED_BY = os.environ.get("GRADER_BLOCKED_BY", "")
_NOT_RUN = "grader-not-run:"


def not_run(reason: str, blocked_by: str = "") -> None:
    """Stop the current test as not run: `reason` says which earlier step did not happen,
    `blocked_by` names its check (e.g. http.persistence.restart_marker_is_stored)."""
    pytest.skip(f"{_NOT_RUN}{blocked_by}|{reason}")


def record_exchange(exchange: dict[str, Any]) -> None:
    """Called by the hidden suite's HTTP client for every request it makes."""
    items = _EXCHANGES.setdefault(_CURRENT[0], [])
    items.append(exchange)
    del items[:-5]


def note(text: str) -> None:
    """What the current test saw, said in its result even when it passed."""
    items = _NOTES.setdefault(_CURRENT[0], [])
    if len(items) < 5:
        items.append(str(text)[:500])


def point_at(file: str, line: int, what: str = "") -> None:
    """The place in the candidate's code the current test is about (shown with its result)."""
    _WHERE[_CURRENT[0]] = {"file": str(file)[:300], "line": int(line), "what": str(what)[:300]}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "points(n): weight of this test in its criterion")
    config.addinivalue_line("markers", "after_restart: runs after the server restarted")


_DEADLINE = float(os.environ.get("GRADER_DEADLINE") or 0)


def pytest_runtest_setup(item: pytest.Item) -> None:
    _CURRENT[0] = item.nodeid
    if _SKIP_REASON:
        not_run(_SKIP_REASON, _BLOCKED_BY)
    if _DEADLINE and time.time() > _DEADLINE:
        not_run("the challenge's grading budget ran out before this test started")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        message, blocked_by = "", ""
        outcome = report.outcome
        if report.outcome == "failed":
            crash = getattr(report.longrepr, "reprcrash", None)
            message = crash.message if crash is not None else str(report.longrepr)[-2000:]
            if report.when == "setup":  # a fixture could not prepare what the test needs
                outcome = "not_run"
                message = f"its setup failed: {message}"
        elif report.outcome == "skipped" and isinstance(report.longrepr, tuple):
            message = str(report.longrepr[2])
            if message.startswith("Skipped: "):
                message = message[len("Skipped: "):]
            if message.startswith(_NOT_RUN):
                outcome = "not_run"
                blocked_by, _, message = message[len(_NOT_RUN):].partition("|")
        doc = (item.function.__doc__ or "").strip().splitlines()  # type: ignore[attr-defined]
        weight = item.get_closest_marker("points")
        RESULTS.append({
            "nodeid": item.nodeid,
            "outcome": outcome,
            "blocked_by": blocked_by,
            "duration": round(report.duration, 3),
            "message": message[:4000],
            "title": doc[0] if doc else "",
            "points": float(weight.args[0]) if weight and weight.args else 1.0,
            "after_restart": item.get_closest_marker("after_restart") is not None,
            "exchanges": _EXCHANGES.get(item.nodeid, [])[-3:],
            "note": "; ".join(_NOTES.get(item.nodeid, [])),
            "where": _WHERE.get(item.nodeid),
        })
        _write(None)  # after every test: a tester killed later still leaves what it saw


def _write(exitstatus: int | None) -> None:
    path = Path(os.environ.get("GRADER_RESULTS", "results.json"))
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps({"finished_at": time.time(), "exit_status": exitstatus,
                                   "tests": RESULTS}))
    os.replace(partial, path)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _write(int(exitstatus))
