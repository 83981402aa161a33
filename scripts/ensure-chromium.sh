#!/usr/bin/env bash
# Installs Debian's headless Chromium (for the test that opens report.html in a browser) when
# it is missing and this is a Debian machine where we are root. Idempotent; quiet when present.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "[chromium] installing Debian's chromium (headless browser tests)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "[chromium] chromium is not installed and cannot be installed here (need root + apt)" >&2
  exit 1
fi
