#!/usr/bin/env bash
# Builds framepick's three WebAssembly packages into www/pkg/:
#   www/pkg/threads   nightly, atomics + shared memory, rayon on Web Workers, relaxed SIMD
#   www/pkg/single    stable, single-threaded, relaxed SIMD: pages that are not
#                     crossOriginIsolated (most pages)
#   www/pkg/baseline  stable, single-threaded, SIMD without relaxed SIMD: browsers that lack
#                     it (Safari), and `relaxedSimd: false`
# Installs what it lacks (rustup target/component, wasm-bindgen-cli from crates.io at
# the version pinned in Cargo.lock). Never downloads a prebuilt binary.
#   ./build.sh            all three packages
#   ./build.sh single     only the single-thread package (faster)
set -euo pipefail
cd "$(dirname "$0")"
what="${1:-all}"

log() { printf '\033[1m[build]\033[0m %s\n' "$*"; }

ensure_tools() {
  local nightly_ok=1
  rustup target list --installed | grep -qx wasm32-unknown-unknown ||
    rustup target add wasm32-unknown-unknown
  if [ "$what" != single ]; then
    rustup toolchain list | grep -q '^nightly' || { echo "no nightly toolchain on this machine" >&2; exit 1; }
    rustup target list --installed --toolchain nightly | grep -qx wasm32-unknown-unknown ||
      rustup target add wasm32-unknown-unknown --toolchain nightly
    rustup component list --installed --toolchain nightly | grep -q '^rust-src' ||
      rustup component add rust-src --toolchain nightly
  fi
  # The CLI must match the wasm-bindgen crate exactly (Cargo.toml pins it with `=`).
  local want
  want=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
    log "installing wasm-bindgen-cli $want from crates.io (several minutes, once)"
    # Not --locked: the registry mirror lacks one locked dependency of the CLI.
    cargo install wasm-bindgen-cli --version "$want"
  fi
}

check_models() {
  log "checking model digests (models/SHA256SUMS)"
  (cd models && sha256sum --quiet -c SHA256SUMS)
}

bindgen() { # $1 = target dir, $2 = out dir
  rm -rf "$2"
  # No name section: 3 MB of function names a user's browser never needs (panics still
  # carry their message through console_error_panic_hook).
  wasm-bindgen "$1/wasm32-unknown-unknown/wasm-release/framepick.wasm" \
    --out-dir "$2" --target web --remove-name-section --remove-producers-section
  log "$2: $(du -h "$2/framepick_bg.wasm" | cut -f1) wasm, $(gzip -9c "$2/framepick_bg.wasm" | wc -c) bytes gzipped"
}

# No wasm-opt: npm binaryen 132's -O1 took 2 % off the gzipped size but made face
# detection 27 % slower (16.2 → 20.7 ms a frame); -Os and -Oz are larger gzipped.
# +relaxed-simd: fused multiply-adds in the matrix and convolution kernels
# (src/judging/wasm_matmul.rs, wasm_conv.rs), about 10 % off face detection. Chrome and Edge
# 114+ and Firefox 146+ have it; the worker sends the others to the baseline build
# (www/worker/features.js).
build_single() {
  log "single-thread build with $(rustc --version)"
  RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd" \
    cargo build --lib --profile wasm-release --target wasm32-unknown-unknown --target-dir target/wasm-single
  bindgen target/wasm-single www/pkg/single
}

build_baseline() {
  log "single-thread baseline build (no relaxed SIMD) with $(rustc --version)"
  RUSTFLAGS="-C target-feature=+simd128" \
    cargo build --lib --profile wasm-release --target wasm32-unknown-unknown --target-dir target/wasm-baseline
  bindgen target/wasm-baseline www/pkg/baseline
}

# Since nightly 2025-10-03 +atomics no longer asks the linker for shared memory.
# +relaxed-simd as in the single-thread build; every browser with threads has it but Safari,
# which the worker sends to the baseline build.
THREAD_RUSTFLAGS="-C target-feature=+atomics,+bulk-memory,+simd128,+relaxed-simd \
-C link-arg=--shared-memory -C link-arg=--max-memory=1073741824 -C link-arg=--import-memory \
-C link-arg=--export=__wasm_init_tls -C link-arg=--export=__tls_size \
-C link-arg=--export=__tls_align -C link-arg=--export=__tls_base -C link-arg=--export=__heap_base"

build_threads() {
  log "threaded build with $(rustup run nightly rustc --version)"
  RUSTFLAGS="$THREAD_RUSTFLAGS" rustup run nightly \
    cargo build --lib --profile wasm-release --target wasm32-unknown-unknown --features threads \
    -Z build-std=panic_abort,std --target-dir target/wasm-threads
  bindgen target/wasm-threads www/pkg/threads
}

copy_models() {
  mkdir -p www/pkg/models
  cp models/*.onnx www/pkg/models/
}

ensure_tools
check_models
case "$what" in
  single) build_single ;;
  baseline) build_baseline ;;
  threads) build_threads ;;
  all) build_single; build_baseline; build_threads ;;
  *) echo "usage: $0 [all|single|baseline|threads]" >&2; exit 2 ;;
esac
copy_models
log "done"
