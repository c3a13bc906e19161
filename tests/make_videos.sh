#!/usr/bin/env bash
# Test and demo videos made with ffmpeg from real photos (scikit-image's public-domain
# astronaut and coffee, in tests/fixtures/). Cached: existing files are kept.
#   tests/make_videos.sh [OUT_DIR]   (default tests/.generated)
# face.mp4    720p, 8 s: the astronaut, panning from the face down to the suit
# face.webm   the same as face.mp4 in VP9/WebM
# scene.mp4   720p, 8 s: a cup of coffee, no person
# sample.mp4  720p, 60 s: shots of both, test pattern, black, blurred and dark spells
# spoiled.mp4 720p, 52 s: every kind of spoiled spell the quick filter knows, between
#             good shots (times in tests/gpu.test.mjs): face 0–6, blown out 6–10,
#             coffee 10–17 fading out 16–17, black 17–19, astronaut close-up 19–25
#             fading in 19–20, blurred 25–31, dark 31–37, fractal 37–43, grainy 43–47,
#             astronaut 47–52
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/.generated}"
mkdir -p "$out"
astro="$here/fixtures/astronaut.jpg"
coffee="$here/fixtures/coffee.jpg"
enc=(-c:v libx264 -preset veryfast -profile:v high -pix_fmt yuv420p -r 30 -g 60 -an)

make() { # name, seconds, input args..., -vf filter
  local name="$1" secs="$2"; shift 2
  [ -s "$out/$name" ] && return 0
  ffmpeg -v error -y "$@" -t "$secs" "${enc[@]}" "$out/$name.$$.tmp.mp4"
  mv "$out/$name.$$.tmp.mp4" "$out/$name"
}

seg() { # part name, ffmpeg input args…: one part of a concatenated video in $parts
  local n="$1"; shift
  ffmpeg -v error -y "$@" "${enc[@]}" "$parts/$n.mp4"
  echo "file '$parts/$n.mp4'" >> "$parts/list.txt"
}

photo() { # image, seconds, filter
  echo -loop 1 -framerate 30 -t "$2" -i "$1" -vf "$3"
}

# shellcheck disable=SC2046
make face.mp4 8 $(photo "$astro" 8 "scale=1280:1280,crop=1280:720:0:'min(560,70*t)',noise=alls=4:allf=t")
# shellcheck disable=SC2046
make scene.mp4 8 $(photo "$coffee" 8 "scale=1280:854,crop=1280:720:0:'min(134,17*t)',noise=alls=4:allf=t")

if [ ! -s "$out/face.webm" ]; then
  ffmpeg -v error -y -i "$out/face.mp4" -c:v libvpx-vp9 -deadline realtime -cpu-used 8 \
    -b:v 1500k -g 60 -an "$out/face.$$.tmp.webm"
  mv "$out/face.$$.tmp.webm" "$out/face.webm"
fi

if [ ! -s "$out/sample.mp4" ]; then
  parts="$(mktemp -d)"
  trap 'rm -rf "$parts"' EXIT
  seg 01 -loop 1 -framerate 30 -t 10 -i "$astro" -vf "scale=1280:1280,crop=1280:720:0:'min(560,56*t)',noise=alls=4:allf=t" -t 10
  seg 02 -f lavfi -i "color=black:size=1280x720:rate=30" -t 2
  seg 03 -loop 1 -framerate 30 -t 8 -i "$coffee" -vf "scale=1280:854,crop=1280:720:0:'min(134,17*t)',noise=alls=4:allf=t" -t 8
  seg 04 -loop 1 -framerate 30 -t 6 -i "$astro" -vf "scale=1280:1280,crop=1280:720:0:0,boxblur=20:2" -t 6
  seg 05 -f lavfi -i "testsrc2=size=1280x720:rate=30" -t 8
  seg 06 -loop 1 -framerate 30 -t 6 -i "$coffee" -vf "scale=1280:854,crop=1280:720:0:60,eq=brightness=-0.45" -t 6
  seg 07 -loop 1 -framerate 30 -t 12 -i "$astro" -vf "scale=1600:1600,crop=1280:720:'160+10*t':'40+4*t',noise=alls=4:allf=t" -t 12
  seg 08 -f lavfi -i "mandelbrot=size=1280x720:rate=30" -t 8
  ffmpeg -v error -y -f concat -safe 0 -i "$parts/list.txt" -c copy "$out/sample.$$.tmp.mp4"
  mv "$out/sample.$$.tmp.mp4" "$out/sample.mp4"
fi
if [ ! -s "$out/spoiled.mp4" ]; then
  parts="$(mktemp -d)"
  trap 'rm -rf "$parts"' EXIT
  : > "$parts/list.txt"
  seg 01 -loop 1 -framerate 30 -t 6 -i "$astro" -vf "scale=1280:1280,crop=1280:720:0:'min(560,56*t)',noise=alls=4:allf=t" -t 6
  seg 02 -loop 1 -framerate 30 -t 4 -i "$astro" -vf "scale=1280:1280,crop=1280:720:0:300,eq=brightness=0.8:contrast=0.5" -t 4
  seg 03 -loop 1 -framerate 30 -t 7 -i "$coffee" -vf "scale=1280:854,crop=1280:720:0:'min(134,17*t)',noise=alls=4:allf=t,fade=t=out:st=6:d=1" -t 7
  seg 04 -f lavfi -i "color=black:size=1280x720:rate=30" -t 2
  seg 05 -loop 1 -framerate 30 -t 6 -i "$astro" -vf "scale=1600:1600,crop=1280:720:160:'100+20*t',noise=alls=4:allf=t,fade=t=in:st=0:d=1" -t 6
  seg 06 -loop 1 -framerate 30 -t 6 -i "$coffee" -vf "scale=1280:854,crop=1280:720:0:0,boxblur=20:2" -t 6
  seg 07 -loop 1 -framerate 30 -t 6 -i "$astro" -vf "scale=1280:1280,crop=1280:720:0:400,eq=brightness=-0.45" -t 6
  seg 08 -f lavfi -i "mandelbrot=size=1280x720:rate=30" -t 6
  seg 09 -loop 1 -framerate 30 -t 4 -i "$coffee" -vf "scale=1280:854,crop=1280:720:0:60,noise=alls=90:allf=t" -t 4
  seg 10 -loop 1 -framerate 30 -t 5 -i "$astro" -vf "scale=1280:1280,crop=1280:720:0:200,noise=alls=4:allf=t" -t 5
  ffmpeg -v error -y -f concat -safe 0 -i "$parts/list.txt" -c copy "$out/spoiled.$$.tmp.mp4"
  mv "$out/spoiled.$$.tmp.mp4" "$out/spoiled.mp4"
  rm -rf "$parts"
fi
# screencast.mp4 720p, 8 s: source code scrolling, dark theme 0–4 s, light theme 4–8 s
# (a tutorial's screen recording: plain background, fine text everywhere).
if [ ! -s "$out/screencast.mp4" ]; then
  parts="$(mktemp -d)"
  trap 'rm -rf "$parts"' EXIT
  : > "$parts/list.txt"
  code="fontfile=/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf:textfile=$here/../src/choosing/select.rs"
  code="$code:expansion=none:fontsize=14:x=60:y=20-12*t"
  seg 01 -f lavfi -i "color=c=0x1e1e1e:size=1280x720:rate=30" -vf "drawtext=$code:fontcolor=0xd4d4d4" -t 4
  seg 02 -f lavfi -i "color=c=white:size=1280x720:rate=30" -vf "drawtext=$code:fontcolor=0x333333" -t 4
  ffmpeg -v error -y -f concat -safe 0 -i "$parts/list.txt" -c copy "$out/screencast.$$.tmp.mp4"
  mv "$out/screencast.$$.tmp.mp4" "$out/screencast.mp4"
  rm -rf "$parts"
fi
echo "$out"
