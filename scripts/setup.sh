#!/usr/bin/env bash
# Installs what framepick needs on a fresh Debian machine (only what is missing) and
# builds the wasm packages. Safe to run again: it is quick when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v ffmpeg >/dev/null || missing+=(ffmpeg)
# The monospace font tests/make_videos.sh draws its screencast's code with.
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ] || missing+=(fonts-dejavu-core)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  echo "[setup] apt-get install ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
if [ ! -d node_modules/playwright-core ]; then
  echo "[setup] npm ci"
  npm ci --no-audit --no-fund
fi
./build.sh "${FRAMEPICK_BUILD:-all}"
