#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine: sets up (scripts/bootstrap.sh), checks the
# code (ruff, mypy on grader/), builds the bundled challenges' images once, then runs pytest,
# unit and real-Docker integration tests alike, in GRADER_TEST_WORKERS parallel pytest-xdist
# workers (default: one more than the machine's CPUs, at least 3, at most 8). The suite is
# CPU-bound: on 2 cores it keeps both busy 90 % of the time, more than half of it inside the
# containers (candidate code, testers, probers, notebooks; benchmarks/sandbox_overhead.py has
# the per-container cost), so its time falls with cores, not with more workers per core; the
# extra worker covers the waits (timeouts, server starts). Each worker labels its Docker
# resources with its own owner, so leftover checks never see another worker's containers.
# Extra arguments go to pytest as they are (serial unless they say -n; no ruff/mypy step and no
# image warm-up, for a quick partial run).
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/bootstrap.sh)"
export GRADER_REQUIRE_DOCKER=1   # a missing engine fails the docker tests instead of skipping
bash scripts/ensure-chromium.sh  # the report.html test opens the report in headless Chromium
export GRADER_REQUIRE_CHROMIUM=1
# Redis and PostgreSQL on loopback for the job queue's tests (tests/integration/test_queue*.py,
# test_web_postgres.py): installed from Debian and started when missing; a server that is
# missing then fails those tests instead of skipping them
eval "$(bash scripts/ensure-services.sh)"
export GRADER_REQUIRE_SERVICES=1
if [ "$#" -eq 0 ]; then  # the whole suite: the code is lint-clean and type-checks first
  echo "[test] ruff check" >&2
  .venv/bin/ruff check grader tests benchmarks challenges/*/tools
  echo "[test] mypy grader" >&2
  .venv/bin/python -m mypy
  # Built here once, rather than by several workers at the same time on a cold machine.
  echo "[test] challenge images" >&2
  .venv/bin/grader images build challenges/* tests/challenges/* >&2
  workers=$(( $(nproc) + 1 ))
  workers=$(( workers < 3 ? 3 : workers > 8 ? 8 : workers ))
  set -- -n "${GRADER_TEST_WORKERS:-$workers}" --durations=15
fi
set +e
.venv/bin/python -m pytest "$@"
code=$?
set -e
if [ "$code" = "5" ]; then
  echo "[test] pytest collected no tests: that is a failure here" >&2
  exit 1
fi
exit "$code"
