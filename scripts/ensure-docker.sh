#!/usr/bin/env bash
# Makes sure a Docker engine answers: installs Debian's docker.io if the engine is missing,
# starts dockerd in the background if it is not running, and waits for `docker info`.
# Idempotent; safe to run on every test run. Needs root only when it must install or start.
set -euo pipefail

log() { printf '[ensure-docker] %s\n' "$*" >&2; }

engine_answers() {
  if command -v docker >/dev/null 2>&1; then
    timeout 10 docker info >/dev/null 2>&1
  else
    return 1
  fi
}

if engine_answers; then
  log "Docker engine answers."
  exit 0
fi

if [ -n "${DOCKER_HOST:-}" ]; then
  log "DOCKER_HOST=$DOCKER_HOST is set but the engine there does not answer; not starting a local one."
  exit 3
fi

if ! command -v dockerd >/dev/null 2>&1; then
  if [ "$(id -u)" != "0" ]; then
    log "No Docker engine and not root: install one (sudo apt-get install docker.io) and start it."
    exit 3
  fi
  log "Installing Debian's docker.io ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io >/dev/null
fi

if [ "$(id -u)" != "0" ]; then
  log "dockerd is installed but not running, and starting it needs root: sudo dockerd &"
  exit 3
fi

if ! pgrep -x dockerd >/dev/null 2>&1; then
  log "Starting dockerd in the background (log: /var/log/grader-dockerd.log) ..."
  # setsid: the engine must outlive this script and not get the test run's signals.
  setsid nohup dockerd >/var/log/grader-dockerd.log 2>&1 < /dev/null &
fi

for _ in $(seq 1 60); do
  if engine_answers; then
    log "Docker engine answers."
    exit 0
  fi
  sleep 1
done
log "dockerd did not answer within 60 s; see /var/log/grader-dockerd.log"
tail -n 20 /var/log/grader-dockerd.log >&2 || true
exit 3
