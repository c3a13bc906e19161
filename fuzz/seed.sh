#!/bin/sh
# Seed the fuzz corpora from the test videos (run from anywhere; idempotent).
#   fuzz/corpus/demux_mp4/   tests/fixtures/*.mp4 (+ tests/.generated/*.mp4 if made)
#   fuzz/corpus/demux_webm/  tests/fixtures/*.webm, *.mkv (+ tests/.generated/*.webm)
# Files over 64 KiB (the -max_len of the demux targets) are cut to their first 64 KiB:
# a WebM keeps its headers and first clusters, which is what the demuxer parses. An
# MP4 over 64 KiB with its moov at the end would keep nothing useful, so (with python3)
# its top-level boxes other than mdat are kept instead: ftyp + moov, sample offsets
# pointing past the end. faces_decode starts from an empty corpus (structured input).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
max=65536
seed() { # target glob...
    target=$1; shift
    mkdir -p "$here/corpus/$target"
    for f in "$@"; do
        [ -f "$f" ] || continue
        name=$(basename "$(dirname "$f")" | sed "s/^\.//")-$(basename "$f")
        out="$here/corpus/$target/$name"
        if [ "$(wc -c < "$f")" -gt $max ] && [ "$target" = demux_mp4 ] \
            && command -v python3 > /dev/null; then
            python3 - "$f" "$out" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
out, pos = b"", 0
while pos + 8 <= len(data):
    size, kind = struct.unpack(">I4s", data[pos:pos + 8])
    if size == 1:
        size = struct.unpack(">Q", data[pos + 8:pos + 16])[0]
    if size < 8:
        break
    if kind != b"mdat":
        out += data[pos:pos + size]
    pos += size
open(sys.argv[2], "wb").write(out[:65536])
PY
        else
            head -c $max "$f" > "$out"
        fi
    done
}
seed demux_mp4 "$root"/tests/fixtures/*.mp4 "$root"/tests/fixtures/*.mov \
    "$root"/tests/.generated/*.mp4 "$root"/tests/.generated/*.mov
seed demux_webm "$root"/tests/fixtures/*.webm "$root"/tests/fixtures/*.mkv \
    "$root"/tests/.generated/*.webm "$root"/tests/.generated/*.mkv
mkdir -p "$here/corpus/faces_decode"
for t in demux_mp4 demux_webm faces_decode; do
    echo "$t: $(ls "$here/corpus/$t" | wc -l) seed files"
done
