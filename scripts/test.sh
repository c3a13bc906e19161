#!/usr/bin/env bash
# Every test: native core (cargo test), the wasm layer in headless Chromium
# (wasm-bindgen-test in a Worker), then the end-to-end browser and uploader tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

echo "== native core: cargo test"
cargo test

echo "== wasm layer: wasm-bindgen-test in headless Chromium"
# Same target dir, profile and flags as build.sh's single-thread build, so dependencies are
# reused (relaxed SIMD: the kernels' fused path; the baseline build's plain path is checked end
# to end in tests/e2e.test.mjs).
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
CHROMEDRIVER="$(command -v chromedriver)" \
WASM_BINDGEN_TEST_TIMEOUT=120 \
RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd" \
  cargo test --profile wasm-release --target wasm32-unknown-unknown --target-dir target/wasm-single --test wasm

echo "== browser end-to-end and uploader: node --test"
node --test --test-concurrency=1 tests/*.test.mjs
