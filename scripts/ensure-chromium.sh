#!/usr/bin/env bash
# Installs Debian's headless Chromium and its WebDriver (chromium-driver) when missing, on a
# Debian machine where we are root: the test that opens report.html in a browser and the
# browser tests of `grader serve` (tests/integration/test_web_browser*.py, driven by Selenium
# through /usr/bin/chromedriver: no driver is ever downloaded at run time). Idempotent; quiet
# when both are present.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "[chromium] installing Debian's ${missing[*]} (headless browser tests)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "[chromium] ${missing[*]} not installed and cannot be installed here (need root + apt)" >&2
  exit 1
fi
