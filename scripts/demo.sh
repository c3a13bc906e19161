#!/usr/bin/env bash
# The main job on a sample video: set up, make a 60 s 720p sample from real photos,
# and pick the best frames with the real in-browser pipeline in headless Chromium.
#   scripts/demo.sh [VIDEO]   (picks go to ./picks, report to ./picks/report.json)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
video="${1:-}"
if [ -z "$video" ]; then
  video="$(bash tests/make_videos.sh)/sample.mp4"
fi
node bin/framepick.mjs pick "$video" --top 8 --out picks --json picks/report.json
echo "Open ./picks to see them, or run 'npm run serve' for the interactive demo page."
