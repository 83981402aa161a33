#!/usr/bin/env bash
# Sets up (scripts/bootstrap.sh), then grades the bundled example submissions and writes
# their reports to reports/<submission-id>/report.{json,md}.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/bootstrap.sh)"
out="${1:-reports}"
status=0
# Every bundled challenge's reference and deliberately flawed solutions.
.venv/bin/grader run tests/challenges/wordfreq/solutions/*/ \
  --challenge tests/challenges/wordfreq --out "$out" || status=$?
.venv/bin/grader run challenges/backend/solutions/*/ \
  --challenge backend --out "$out" --jobs 2 || status=$?
.venv/bin/grader run challenges/datascience/solutions/*/ \
  --challenge datascience --out "$out" --jobs 2 || status=$?
.venv/bin/grader run challenges/mle/solutions/*/ \
  --challenge mle --out "$out" --jobs 2 || status=$?
echo "[grade-examples] reports in $out/ (exit code $status)" >&2
exit "$status"
