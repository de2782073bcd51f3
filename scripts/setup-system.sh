#!/usr/bin/env bash
# Debian packages the assistant and its tests need: chromium + chromedriver
# (browser tests), ffmpeg (voice: every audio format), espeak-ng and flite
# (the other people's voices the voice tests and evaluation speak with),
# pocketsphinx-testdata (recordings of real people for the voice
# evaluation), nginx (production cluster), node and npm (the rasa-webchat
# widget the third-party client test installs).
# Idempotent and quiet when they are already there; runs `apt-get update`
# only when the package lists don't know them yet.
set -euo pipefail

# package:the file it provides
wanted=(
  chromium:/usr/bin/chromium
  chromium-driver:/usr/bin/chromedriver
  espeak-ng:/usr/bin/espeak-ng
  ffmpeg:/usr/bin/ffmpeg
  nginx:/usr/sbin/nginx
  flite:/usr/bin/flite
  pocketsphinx-testdata:/usr/share/pocketsphinx/test/data/goforward.raw
  nodejs:/usr/bin/node
  npm:/usr/bin/npm
)
missing=()
for entry in "${wanted[@]}"; do
  [ -e "${entry#*:}" ] || missing+=("${entry%%:*}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-system: ${missing[*]} missing and no apt-get here; install them to use voice, the cluster and the browser tests." >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "setup-system: ${missing[*]} missing; install them as root." >&2
    exit 0
  fi
fi

export DEBIAN_FRONTEND=noninteractive
echo "Installing ${missing[*]}..."
install() { $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
# Stale package lists fail the download: refresh them once and retry.
if ! apt-cache show "${missing[@]}" >/dev/null 2>&1 || ! install; then
  $SUDO apt-get update -qq
  install
fi
# Debian starts nginx on port 80 when it installs it; the cluster runs its
# own instance with its own config, so stop the packaged one.
if [[ " ${missing[*]} " == *" nginx "* ]] && command -v nginx >/dev/null 2>&1; then
  $SUDO nginx -s quit 2>/dev/null || true
fi
