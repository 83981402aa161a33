#!/usr/bin/env bash
# Sets up everything grader needs on a Debian machine, idempotently:
#   1. .venv with grader and its test dependencies (pip install -e '.[test]')
#   2. a Docker engine that answers (scripts/ensure-docker.sh)
#   3. a base image: $GRADER_BASE_IMAGE if set, else python:3.12-slim if it can be found or
#      pulled, else one built offline (scripts/build-offline-base.sh)
# Prints `export GRADER_BASE_IMAGE=...` as its last line on stdout; callers eval it.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '[bootstrap] %s\n' "$*" >&2; }

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  log "creating .venv with $($PYTHON --version 2>&1)"
  if ! "$PYTHON" -m venv .venv >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
      log "installing python3-venv"
      rm -rf .venv
      DEBIAN_FRONTEND=noninteractive apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
      "$PYTHON" -m venv .venv
    else
      log "python3 -m venv failed: install python3-venv"; exit 3
    fi
  fi
fi
stamp=.venv/.grader-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  log "installing grader and test dependencies into .venv"
  .venv/bin/python -m pip install -q --upgrade pip >&2
  .venv/bin/python -m pip install -q -e '.[test]' >&2
  touch "$stamp"
fi

bash scripts/ensure-docker.sh

base="${GRADER_BASE_IMAGE:-}"
if [ -z "$base" ]; then
  if docker image inspect python:3.12-slim >/dev/null 2>&1 \
     || timeout 120 docker pull -q python:3.12-slim >/dev/null 2>&1; then
    base=python:3.12-slim
  else
    log "python:3.12-slim cannot be pulled (no registry?): using an offline-built base"
    bash scripts/build-offline-base.sh grader-offline-base:bookworm
    base=grader-offline-base:bookworm
  fi
fi
log "base image: $base"
echo "export GRADER_BASE_IMAGE=$base"
