#!/usr/bin/env bash
# The browser the report's browser test drives (test/cli/report-browser.test.ts, through playwright-core):
# Debian's chromium package, installed with apt-get when missing, so no browser is downloaded by npm or Playwright.
# Prints the binary's path on its last line. CHROMIUM_PATH names a Chromium binary the user brings instead.
set -euo pipefail
if [ -n "${CHROMIUM_PATH:-}" ]; then
  [ -x "$CHROMIUM_PATH" ] || { echo "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file" >&2; exit 1; }
  echo "$CHROMIUM_PATH"; exit 0
fi
bin=/usr/bin/chromium
if [ ! -x "$bin" ]; then
  command -v apt-get >/dev/null || { echo "chromium is missing and there is no apt-get to install it: install Chromium, or set CHROMIUM_PATH" >&2; exit 1; }
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing Debian's chromium for the report's browser test" >&2
  $sudo apt-get update >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y chromium >&2
fi
echo "$bin"
