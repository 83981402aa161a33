#!/usr/bin/env bash
# Sets up (scripts/bootstrap.sh), then grades the bundled example submissions (every
# challenge's reference and deliberately flawed solutions) with `grader validate`, which also
# checks each lands in its expected score range. Reports: reports/<challenge>/<submission-id>/
# report.{json,md,html}, with a cohort summary (index.html, summary.csv) per challenge.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/bootstrap.sh)"
out="${1:-reports}"
status=0
for challenge in tests/challenges/wordfreq challenges/backend challenges/datascience \
                 challenges/mle; do
  .venv/bin/grader validate "$challenge" --out "$out/$(basename "$challenge")" --jobs 2 \
    || status=$?
done
echo "[grade-examples] reports in $out/<challenge>/ (exit code $status)" >&2
exit "$status"
