// The WebGPU path of the quick filter: a decoded VideoFrame goes in as an external
// texture, is drawn upright at analysis size on the GPU, and one compute pass
// accumulates the sums the quick metrics are made of (histograms, cell means, luma,
// colour-opponent, Laplacian and gradient sums, a histogram of the noise kernel's
// response). Only those sums (≈ 20 KB) come back;
// the analysis-size pixels come back only for frames the Rust session wants to keep
// for deep analysis. The metrics themselves are computed in Rust from the sums
// (`FrameSums::from_gpu` in src/screening/quality/sums.rs), the same code the CPU path ends in.

// Layout of the atomic u32 accumulator; must match src/screening/quality/sums.rs (GPU_* constants).
const ACC_WORDS = 2992;
const PARTIALS_PER_GROUP = 9;
const TILE = 16;

const DOWNSCALE_WGSL = /* wgsl */ `
override rotation: u32 = 0u;
@group(0) @binding(0) var frame: texture_external;
@group(0) @binding(1) var smp: sampler;
struct VOut { @builtin(position) pos: vec4<f32>, @location(0) uv: vec2<f32> };
@vertex fn vs(@builtin(vertex_index) i: u32) -> VOut {
  // One triangle covering the target; uv (0,0) top-left.
  let xy = vec2<f32>(f32((i << 1u) & 2u), f32(i & 2u));
  var o: VOut;
  o.pos = vec4<f32>(xy.x * 2.0 - 1.0, 1.0 - xy.y * 2.0, 0.0, 1.0);
  o.uv = xy;
  return o;
}
@fragment fn fs(v: VOut) -> @location(0) vec4<f32> {
  // Upright output: the source is turned clockwise by the track's rotation.
  var uv = v.uv;
  if (rotation == 90u) { uv = vec2<f32>(v.uv.y, 1.0 - v.uv.x); }
  if (rotation == 180u) { uv = vec2<f32>(1.0 - v.uv.x, 1.0 - v.uv.y); }
  if (rotation == 270u) { uv = vec2<f32>(1.0 - v.uv.y, v.uv.x); }
  return vec4<f32>(textureSampleBaseClampToEdge(frame, smp, uv).rgb, 1.0);
}`;

const SUMS_WGSL = /* wgsl */ `
@group(0) @binding(0) var src: texture_2d<f32>;
@group(0) @binding(1) var<storage, read_write> acc: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read_write> part: array<f32>;
const LUMA_HIST = 0u; const COLOR_HIST = 256u; const CELLS32 = 304u; const CELLS32_N = 1328u;
const CELLS8 = 2352u; const CELLS8_N = 2544u; const GRAD8 = 2608u; const GRAD8_N = 2672u;
const NOISE_HIST = 2736u;
const FIXED = 256.0;
const K = ${PARTIALS_PER_GROUP}u;
var<workgroup> red: array<f32, ${TILE * TILE * PARTIALS_PER_GROUP}>;
fn rgb(p: vec2<u32>) -> vec3<f32> { return round(textureLoad(src, p, 0).rgb * 255.0); }
fn luma(c: vec3<f32>) -> f32 { return 0.299 * c.r + 0.587 * c.g + 0.114 * c.b; }
@compute @workgroup_size(${TILE}, ${TILE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) li: u32,
        @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let dims = textureDimensions(src);
  let w = dims.x; let h = dims.y; let x = gid.x; let y = gid.y;
  var v: array<f32, ${PARTIALS_PER_GROUP}>;
  if (x < w && y < h) {
    let c = rgb(vec2<u32>(x, y));
    let l = luma(c);
    let rg = c.r - c.g; let yb = c.r + c.g - 2.0 * c.b;
    v[0] = l; v[1] = l * l; v[2] = rg; v[3] = rg * rg; v[4] = yb; v[5] = yb * yb;
    let ci = vec3<u32>(c);
    atomicAdd(&acc[LUMA_HIST + min(u32(l), 255u)], 1u);
    atomicAdd(&acc[COLOR_HIST + (ci.r >> 4u)], 1u);
    atomicAdd(&acc[COLOR_HIST + 16u + (ci.g >> 4u)], 1u);
    atomicAdd(&acc[COLOR_HIST + 32u + (ci.b >> 4u)], 1u);
    let k32 = (y * 32u / h) * 32u + x * 32u / w;
    atomicAdd(&acc[CELLS32 + k32], u32(round(l * FIXED)));
    atomicAdd(&acc[CELLS32_N + k32], 1u);
    let k8 = (y * 8u / h) * 8u + x * 8u / w;
    atomicAdd(&acc[CELLS8 + k8 * 3u], ci.r);
    atomicAdd(&acc[CELLS8 + k8 * 3u + 1u], ci.g);
    atomicAdd(&acc[CELLS8 + k8 * 3u + 2u], ci.b);
    atomicAdd(&acc[CELLS8_N + k8], 1u);
    if (x >= 1u && y >= 1u && x + 1u < w && y + 1u < h) {
      let up = luma(rgb(vec2<u32>(x, y - 1u))); let down = luma(rgb(vec2<u32>(x, y + 1u)));
      let left = luma(rgb(vec2<u32>(x - 1u, y))); let right = luma(rgb(vec2<u32>(x + 1u, y)));
      let lap = up + down + left + right - 4.0 * l;
      let gx = right - left; let gy = down - up;
      let g = 0.5 * sqrt(gx * gx + gy * gy);
      // Immerkær's noise kernel [1 -2 1; -2 4 -2; 1 -2 1].
      let corners = luma(rgb(vec2<u32>(x - 1u, y - 1u))) + luma(rgb(vec2<u32>(x + 1u, y - 1u)))
        + luma(rgb(vec2<u32>(x - 1u, y + 1u))) + luma(rgb(vec2<u32>(x + 1u, y + 1u)));
      v[6] = lap; v[7] = lap * lap; v[8] = g;
      let r = abs(corners - 2.0 * (up + down + left + right) + 4.0 * l);
      atomicAdd(&acc[NOISE_HIST + min(u32(r), 255u)], 1u);
      atomicAdd(&acc[GRAD8 + k8], u32(round(g * FIXED)));
      atomicAdd(&acc[GRAD8_N + k8], 1u);
    }
  }
  // Per-tile sums in f32 (a tile is small, so they stay exact enough); Rust adds the
  // tiles in f64.
  for (var i = 0u; i < K; i++) { red[li * K + i] = v[i]; }
  workgroupBarrier();
  for (var s = ${(TILE * TILE) / 2}u; s > 0u; s = s >> 1u) {
    if (li < s) { for (var i = 0u; i < K; i++) { red[li * K + i] += red[(li + s) * K + i]; } }
    workgroupBarrier();
  }
  if (li == 0u) {
    let g = wid.y * nw.x + wid.x;
    for (var i = 0u; i < K; i++) { part[g * K + i] = red[i]; }
  }
}`;

/**
 * Get a WebGPU device for the quick filter, or null with the reason.
 * `mode`: 'auto' uses a hardware adapter only (a software fallback adapter is slower
 * than the wasm CPU path); true takes any adapter (tests, SwiftShader); false: none.
 */
export async function openGpu(mode = 'auto') {
  if (mode === false) return { gpu: null, info: { used: false, reason: 'disabled by the caller (gpu: false)' } };
  if (!self.navigator?.gpu) return { gpu: null, info: { used: false, reason: 'this browser has no WebGPU' } };
  try {
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) return { gpu: null, info: { used: false, reason: 'no WebGPU adapter' } };
    const a = adapter.info || {};
    const fallback = a.isFallbackAdapter === true || adapter.isFallbackAdapter === true;
    const name = [a.vendor, a.architecture, a.description].filter(Boolean).join(' ') || 'unknown';
    if (fallback && mode !== true) {
      return { gpu: null, info: { used: false, adapter: name, fallbackAdapter: true,
        reason: 'only a software (fallback) WebGPU adapter: the CPU path is faster' } };
    }
    const device = await adapter.requestDevice();
    const gpu = new GpuQuickMetrics(device);
    return { gpu, info: { used: true, adapter: name, fallbackAdapter: fallback } };
  } catch (e) {
    return { gpu: null, info: { used: false, reason: `WebGPU failed: ${e?.message || e}` } };
  }
}

export class GpuQuickMetrics {
  constructor(device) {
    this.device = device;
    this.lost = null;
    device.lost.then((info) => { this.lost = info.message || info.reason || 'device lost'; });
    device.onuncapturederror = (e) => { this.lost ??= `WebGPU error: ${e.error?.message}`; };
    this.sampler = device.createSampler({ magFilter: 'linear', minFilter: 'linear' });
    this.downscale = device.createShaderModule({ code: DOWNSCALE_WGSL });
    this.renderPipelines = new Map();
    this.sums = device.createComputePipeline({
      layout: 'auto',
      compute: { module: device.createShaderModule({ code: SUMS_WGSL }), entryPoint: 'main' },
    });
    this.free = []; // slots (textures and buffers of one analysis size) ready for reuse
  }

  renderPipeline(rotation) {
    if (!this.renderPipelines.has(rotation)) {
      this.renderPipelines.set(rotation, this.device.createRenderPipeline({
        layout: 'auto',
        vertex: { module: this.downscale, entryPoint: 'vs' },
        fragment: { module: this.downscale, entryPoint: 'fs', targets: [{ format: 'rgba8unorm' }],
          constants: { rotation } },
        primitive: { topology: 'triangle-list' },
      }));
    }
    return this.renderPipelines.get(rotation);
  }

  slot(w, h) {
    const i = this.free.findIndex((s) => s.w === w && s.h === h);
    if (i >= 0) return this.free.splice(i, 1)[0];
    const d = this.device;
    const groups = Math.ceil(w / TILE) * Math.ceil(h / TILE);
    const stride = Math.ceil((w * 4) / 256) * 256; // copyTextureToBuffer's row alignment
    const s = {
      w, h, groups, stride,
      texture: d.createTexture({ size: [w, h], format: 'rgba8unorm',
        usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_SRC }),
      acc: d.createBuffer({ size: ACC_WORDS * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST }),
      part: d.createBuffer({ size: groups * PARTIALS_PER_GROUP * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC }),
      read: d.createBuffer({ size: (ACC_WORDS + groups * PARTIALS_PER_GROUP) * 4,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }),
      pixels: d.createBuffer({ size: stride * h, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }),
    };
    s.sumsBind = d.createBindGroup({ layout: this.sums.getBindGroupLayout(0), entries: [
      { binding: 0, resource: s.texture.createView() },
      { binding: 1, resource: { buffer: s.acc } },
      { binding: 2, resource: { buffer: s.part } },
    ] });
    return s;
  }

  /**
   * Queue the GPU work for one frame and close it. Resolves to
   * `{ ptsUs, acc: Uint32Array, partials: Float32Array, pixels: () => Promise<{data, stride}>, release }`;
   * call `release()` once done (after `pixels()` if wanted).
   */
  measure(frame, w, h, rotation) {
    if (this.lost) throw new Error(this.lost);
    const d = this.device;
    const s = this.slot(w, h);
    const ptsUs = frame.timestamp;
    let external;
    try {
      external = d.importExternalTexture({ source: frame });
    } catch (e) {
      this.free.push(s);
      throw e;
    }
    const enc = d.createCommandEncoder();
    const pipeline = this.renderPipeline(rotation || 0);
    const pass = enc.beginRenderPass({ colorAttachments: [{ view: s.texture.createView(),
      loadOp: 'clear', storeOp: 'store', clearValue: [0, 0, 0, 1] }] });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, d.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [
      { binding: 0, resource: external }, { binding: 1, resource: this.sampler }] }));
    pass.draw(3);
    pass.end();
    enc.clearBuffer(s.acc);
    const cp = enc.beginComputePass();
    cp.setPipeline(this.sums);
    cp.setBindGroup(0, s.sumsBind);
    cp.dispatchWorkgroups(Math.ceil(w / TILE), Math.ceil(h / TILE));
    cp.end();
    enc.copyBufferToBuffer(s.acc, 0, s.read, 0, ACC_WORDS * 4);
    enc.copyBufferToBuffer(s.part, 0, s.read, ACC_WORDS * 4, s.groups * PARTIALS_PER_GROUP * 4);
    enc.copyTextureToBuffer({ texture: s.texture }, { buffer: s.pixels, bytesPerRow: s.stride }, [w, h]);
    d.queue.submit([enc.finish()]);
    // The external texture was sampled by the submitted pass: the frame can go.
    frame.close();
    return s.read.mapAsync(GPUMapMode.READ).then(() => {
      const words = new Uint32Array(s.read.getMappedRange().slice(0));
      s.read.unmap();
      return {
        ptsUs,
        acc: words.subarray(0, ACC_WORDS),
        partials: new Float32Array(words.buffer, ACC_WORDS * 4),
        stride: s.stride,
        pixels: async () => {
          await s.pixels.mapAsync(GPUMapMode.READ);
          const data = new Uint8Array(s.pixels.getMappedRange().slice(0));
          s.pixels.unmap();
          return data;
        },
        release: () => this.free.push(s),
      };
    }, (e) => { this.free.push(s); throw e; });
  }

  destroy() {
    for (const s of this.free) {
      for (const r of [s.texture, s.acc, s.part, s.read, s.pixels]) r.destroy();
    }
    this.free = [];
    this.device.destroy();
  }
}
