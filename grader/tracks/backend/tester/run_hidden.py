"""Tester entry point: wait for the candidate's server, then run the hidden suite.

    python run_hidden.py --base-url http://app:8000 --health /health --wait 45 \
        --suite hidden --select main|after_restart

Writes results.json (via results_plugin) and ready.json in the work dir. If the server never
answers, every test is still collected and reported as not run, so the report lists them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request

import pytest


def wait_ready(url: str, seconds: float) -> dict[str, object]:
    """Poll `url` until it answers 200 or `seconds` pass. A server that answers the same
    other HTTP status below 500 three times in a row (a missing /health: 404; Django's
    DisallowedHost: 400) is up: `answering` says so and the suite runs against it. Records what
    it last saw: an HTTP status and the head of its body, or the connection error."""
    started = time.monotonic()
    last, status, body = "", 0, ""
    streak = 0
    while time.monotonic() - started < seconds:
        if 0 < status < 500 and streak >= 3:
            return {"ready": False, "answering": True,
                    "seconds": round(time.monotonic() - started, 2), "last_error": last,
                    "last_status": status, "last_body": body}
        previous = status
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return {"ready": True, "seconds": round(time.monotonic() - started, 2)}
                status, body = response.status, response.read(300).decode("utf-8", "replace")
                last = f"HTTP {status}"
        except urllib.error.HTTPError as exc:
            status, last = exc.code, f"HTTP {exc.code}"
            try:
                body = exc.read(300).decode("utf-8", "replace")
            except OSError:
                body = ""
        except (OSError, ValueError) as exc:
            status, body, last = 0, "", str(exc)[:200]
        streak = streak + 1 if status and status == previous else 1
        time.sleep(0.25)
    return {"ready": False, "seconds": round(time.monotonic() - started, 2),
            "last_error": last, "last_status": status, "last_body": body}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--health", default="/health")
    parser.add_argument("--wait", type=float, default=45)
    parser.add_argument("--suite", default="hidden")
    parser.add_argument("--select", default="main")
    parser.add_argument("--wait-only", action="store_true",
                        help="exit once the server is ready (or the wait is over)")
    parser.add_argument("--skip-all", default="",
                        help="collect every test and report it as not run, for this reason")
    parser.add_argument("--blocked-by", default="",
                        help="with --skip-all: the check whose failure stopped the tests")
    parser.add_argument("--deadline", type=float, default=0.0,
                        help="seconds this run has (what the grading budget leaves): tests "
                             "not started by then are reported as not run")
    args = parser.parse_args()
    if args.deadline > 0:
        os.environ["GRADER_DEADLINE"] = str(time.time() + args.deadline)

    state = ({"ready": False, "seconds": 0.0, "last_error": args.skip_all} if args.skip_all
             else wait_ready(args.base_url.rstrip("/") + args.health, args.wait))
    with open("ready.json", "w") as f:
        json.dump(state, f)
    ready = bool(state["ready"] or state.get("answering"))
    last = str(state.get("last_error") or "")
    if args.wait_only:
        return 0
    os.environ["BASE_URL"] = args.base_url.rstrip("/")
    if args.skip_all:
        os.environ["GRADER_SKIP_ALL"] = args.skip_all
        os.environ["GRADER_BLOCKED_BY"] = args.blocked_by
    elif not ready:
        os.environ["GRADER_SKIP_ALL"] = (
            f"the server never answered {args.health} with 200 within {args.wait:g} s"
            + (f" (last: {last})" if last else ""))
        os.environ["GRADER_BLOCKED_BY"] = args.blocked_by
    selection = {"main": ["-m", "not after_restart"], "after_restart": ["-m", "after_restart"],
                 "all": []}[args.select]
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    code = pytest.main([args.suite, "-q", "-p", "results_plugin", "-p", "no:cacheprovider",
                        *selection])
    return 0 if code in (0, 1) else int(code)


if __name__ == "__main__":
    sys.exit(main())
