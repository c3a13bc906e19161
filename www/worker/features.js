// What the browser's WebAssembly engine offers beyond the baseline every build needs.

// (module (func (result v128) (f32x4.relaxed_madd (v128.const 0) (v128.const 0) (v128.const 0))))
const ZERO = [0xfd, 0x0c, ...new Array(16).fill(0)];
const MADD_BODY = [0x00, ...ZERO, ...ZERO, ...ZERO, 0xfd, 0x85, 0x02, 0x0b];
const RELAXED_MADD_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type: [] -> [v128]
  0x03, 0x02, 0x01, 0x00, // one function of that type
  0x0a, MADD_BODY.length + 2, 0x01, MADD_BODY.length, ...MADD_BODY,
]);

/**
 * Whether WebAssembly relaxed SIMD validates here (Chrome and Edge 114+, Firefox 146+; not
 * Safari). The threaded and single-thread builds' kernels use its fused multiply-add, so a
 * module built with it does not even compile where it is missing: there the worker loads
 * the baseline build.
 */
export function hasRelaxedSimd() {
  try {
    return WebAssembly.validate(RELAXED_MADD_MODULE);
  } catch {
    return false;
  }
}
