#!/usr/bin/env bash
# Builds a Python base image without any image registry: debootstrap a minimal Debian bookworm
# root filesystem with python3, venv and pip, then `docker import` it.
#
#   scripts/build-offline-base.sh [IMAGE_NAME]     (default: grader-offline-base:bookworm)
#
# Use it where `docker pull python:3.12-slim` cannot work (air-gapped hosts, CI without a
# registry), then point grader at it: export GRADER_BASE_IMAGE=grader-offline-base:bookworm
# Does nothing if the image already exists. Needs root (debootstrap) and Debian's mirror.
set -euo pipefail

name="${1:-grader-offline-base:bookworm}"
log() { printf '[offline-base] %s\n' "$*" >&2; }

if docker image inspect "$name" >/dev/null 2>&1; then
  log "$name already exists."
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  log "debootstrap needs root."
  exit 3
fi
if ! command -v debootstrap >/dev/null 2>&1; then
  log "Installing debootstrap ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq debootstrap >/dev/null
fi

rootfs="$(mktemp -d /tmp/grader-rootfs.XXXXXX)"
trap 'rm -rf "$rootfs"' EXIT INT TERM

log "debootstrap bookworm into $rootfs (about a minute) ..."
debootstrap --variant=minbase \
  --include=python3,python3-venv,python3-pip,ca-certificates \
  bookworm "$rootfs" >"$rootfs.log" 2>&1 || { tail -n 30 "$rootfs.log" >&2; rm -f "$rootfs.log"; exit 3; }
rm -f "$rootfs.log"
# Smaller image: apt caches and docs are not needed at run time.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
       "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/*

log "docker import as $name ..."
tar -C "$rootfs" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["python3"]' \
  - "$name" >/dev/null
log "built $name."
