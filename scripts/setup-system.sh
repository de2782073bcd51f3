#!/usr/bin/env bash
# System packages the browser tests need: Debian's chromium and chromedriver.
# Idempotent and quiet when they are already there; runs `apt-get update`
# only when the package lists don't know them yet.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-system: ${missing[*]} missing and no apt-get here; install them to run the browser tests." >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "setup-system: ${missing[*]} missing; install them as root to run the browser tests." >&2
    exit 0
  fi
fi

export DEBIAN_FRONTEND=noninteractive
echo "Installing ${missing[*]} for the browser tests..."
install() { $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
# Stale package lists fail the download: refresh them once and retry.
if ! apt-cache show "${missing[@]}" >/dev/null 2>&1 || ! install; then
  $SUDO apt-get update -qq
  install
fi
