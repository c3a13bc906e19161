// Quick measurement of decoded frames at analysis size: on the GPU (gpu.js) where there
// is one, else copied out with copyTo (or drawn on a canvas) for wasm. The copyTo and
// drawing helpers serve the pick encoder and inspect too.

let gpuState = null; // { mode, gpu, info }: the WebGPU device, opened on first use

/**
 * The WebGPU quick-filter device for `mode` ('auto' | true | false), opened once.
 * gpu.js is imported only when asked for, beside this file: a bundler that copied
 * worker.js and worker/ without worker/gpu.js gets the CPU path and a reason, not a dead
 * worker.
 */
export async function gpuFor(mode) {
  if (gpuState?.mode !== mode || gpuState.gpu?.lost) {
    gpuState?.gpu?.destroy();
    let opened;
    if (mode === false) {
      opened = { gpu: null, info: { used: false, reason: 'disabled by the caller (gpu: false)' } };
    } else {
      opened = await import('./gpu.js').then(({ openGpu }) => openGpu(mode), (e) => ({ gpu: null,
        info: { used: false, reason: `worker/gpu.js could not be loaded beside worker.js (${e.message})` } }));
    }
    gpuState = { mode, ...opened };
  }
  return gpuState;
}

/**
 * Measures decoded frames for `analysis`: `frame(videoFrame)` (closes it) on the GPU
 * when there is one, on the CPU otherwise or once the GPU fails (device lost: the
 * frames in flight are lost with a warning, the rest go to the CPU). GPU results
 * arrive asynchronously; `settled()` waits for them.
 */
export function quickMeasure(analysis, gpu, aw, ah, rotation, lowMemory = false) {
  const ctx = new OffscreenCanvas(aw, ah).getContext('2d', { willReadFrequently: true });
  const state = { gpuFrames: 0, cpuFrames: 0, yuvFrames: 0, yuvMs: 0, pixelReads: 0, warnings: [], inflight: [] };
  let failed = null;
  const onCanvas = (frame) => {
    drawOriented(ctx, frame, aw, ah, rotation);
    frame.close();
    analysis.pushFrame(frame.timestamp, aw, ah, ctx.getImageData(0, 0, aw, ah).data);
    state.cpuFrames++;
  };
  // `lowMemory` (the default): pictures are copied out (RGBA where the browser converts,
  // else I420/NV12) and scaled in wasm (src/media/yuv.rs): a canvas drawImage of a VideoFrame
  // makes Chromium keep a full-size RGBA conversion of it (~8 MB a 1080p frame) for a
  // while. Other formats, or a copyTo that fails, go through the canvas.
  const yuv = yuvReader();
  let useYuv = lowMemory;
  const onCpu = (frame) => {
    if (!useYuv || !yuv.takes(frame)) return onCanvas(frame);
    state.inflight.push(yuv.read(frame).then((pic) => {
      frame.close();
      const t0 = performance.now();
      try {
        analysis.pushYuv(pic.timestamp, pic.format, pic.width, pic.height, pic.data, pic.layout, pic.matrix,
          pic.fullRange, [aw, ah, rotation]);
      } finally {
        pic.release();
        state.yuvMs += performance.now() - t0;
      }
      state.cpuFrames++;
      state.yuvFrames++;
    }, (e) => {
      useYuv = false;
      state.warnings.push(`VideoFrame.copyTo failed (${e?.message || e}); frames were drawn on a canvas instead`);
      onCanvas(frame);
    }));
  };
  const gpuFailed = (e) => {
    if (failed) return;
    failed = e;
    state.warnings.push(`WebGPU quick filter failed (${e?.message || e}); the CPU path took over`);
  };
  const onGpu = async (result) => {
    try {
      if (analysis.pushSums(result.ptsUs, aw, ah, result.acc, result.partials)) {
        analysis.attachPixels(result.ptsUs, aw, ah, result.stride, await result.pixels());
        state.pixelReads++;
      }
      state.gpuFrames++;
    } finally {
      result.release();
    }
  };
  state.frame = (frame) => {
    if (!gpu || failed || gpu.lost) return onCpu(frame);
    const ptsUs = frame.timestamp;
    let pending;
    try {
      pending = gpu.measure(frame, aw, ah, rotation);
    } catch (e) {
      gpuFailed(e);
      return onCpu(frame); // measure() throws before it closes the frame
    }
    state.inflight.push(pending.then(onGpu).catch((e) => {
      gpuFailed(e);
      state.warnings.push(`frame at ${(ptsUs / 1e6).toFixed(2)} s lost with the GPU`);
    }));
  };
  /** No more frames: let go of the buffers kept for reuse. */
  state.release = () => yuv.release();
  state.settled = async () => {
    const all = state.inflight.splice(0);
    await Promise.all(all);
  };
  return state;
}

/**
 * Frames larger than 2560×1440 are copied as decoded (I420/NV12, 1.5 bytes a pixel) and
 * converted in wasm, not converted to RGBA by the browser (4 bytes a pixel): a 4K RGBA
 * copy is 33 MB, and the copies in flight and kept for reuse were most of a 4K pick's
 * memory over a 1080p one.
 */
const RGBA_MAX_PIXELS = 2560 * 1440;
/** Copy buffers kept for reuse (more are made while copies overlap). */
const FREE_COPIES = 2;
/** `copyTo` options that have the browser convert to sRGB RGBA (Chromium 127+). */
const RGBA_COPY = { format: 'RGBA', colorSpace: 'srgb' };

/**
 * `copyTo` into buffers (made by `make(bytes)`) reused through a free list:
 * `copy(frame, options)` → `{ data, planes }`; `give(data)` returns a buffer once read.
 */
export function frameCopier(make = (n) => new Uint8Array(n)) {
  const free = [];
  const give = (data) => { if (free.length < FREE_COPIES) free.push(data); };
  // Once no more frames come, the buffers kept for reuse can go (two 4K RGBA ones are 66 MB).
  const release = () => { free.length = 0; };
  const copy = async (frame, options) => {
    const size = frame.allocationSize(options);
    const k = free.findIndex((b) => b.length === size);
    const data = k >= 0 ? free.splice(k, 1)[0] : make(size);
    try {
      return { data, planes: await frame.copyTo(data, options) };
    } catch (e) {
      give(data);
      throw e;
    }
  };
  return { copy, give, release };
}

/**
 * Copies VideoFrames out (`copyTo`) into reused buffers: converted to RGBA by the
 * browser where it can (Chromium 127+: its own SIMD conversion, each pixel clamped as a
 * canvas does, then only a box downscale is left to wasm), else I420/NV12 as decoded
 * (converted in wasm, slower). `read(frame)` → `{ timestamp, format, width, height,
 * data, layout: [offset, stride, …], matrix, fullRange, release() }` (the frame stays
 * open; the caller closes it).
 */
export function yuvReader({ rgba: convert = true } = {}) {
  const { copy, give, release } = frameCopier();
  let rgba = convert ? RGBA_COPY : null;
  const planar = (frame) => frame.format === 'I420' || frame.format === 'NV12';
  return {
    release,
    takes: (frame) => rgba !== null || planar(frame),
    async read(frame) {
      let got = null;
      const large = frame.visibleRect.width * frame.visibleRect.height > RGBA_MAX_PIXELS;
      if (rgba && !(large && planar(frame))) {
        // A browser without converting copyTo throws (TypeError or NotSupportedError).
        got = await copy(frame, rgba).catch(() => { rgba = null; return null; });
      }
      if (!got && !planar(frame)) {
        throw new Error(`copyTo cannot convert ${frame.format} pictures to RGBA here`);
      }
      const format = got ? 'RGBA' : frame.format;
      got ??= await copy(frame);
      const { data, planes } = got;
      const cs = frame.colorSpace;
      return { timestamp: frame.timestamp, format, width: frame.visibleRect.width,
        height: frame.visibleRect.height, data, layout: planes.flatMap((p) => [p.offset, p.stride]),
        matrix: cs?.matrix ?? undefined, fullRange: cs?.fullRange === true,
        release: () => give(data) };
    },
  };
}

/** Draw a frame upright into a w×h canvas (w, h already swapped for 90°/270°). */
export function drawOriented(ctx, frame, w, h, rotation) {
  if (!rotation) return ctx.drawImage(frame, 0, 0, w, h);
  const [dw, dh] = rotation % 180 ? [h, w] : [w, h];
  ctx.save();
  ctx.translate(w / 2, h / 2);
  ctx.rotate((rotation * Math.PI) / 180);
  ctx.drawImage(frame, -dw / 2, -dh / 2, dw, dh);
  ctx.restore();
}

/**
 * The frame's visible pixels as an ImageData, converted to sRGB RGBA by the browser, in a
 * buffer from `copier` (a `frameCopier` of Uint8ClampedArrays; give the buffer back once
 * drawn: a 4K picture is 33 MB). `rows` = [first, count] of the visible rows to copy
 * (all of them by default); `count` must be even where it is not the last row (I420 and
 * NV12 chroma covers two rows).
 */
async function rgbaPixels(frame, copier, rows = null) {
  const { x, y, width, height: all } = frame.visibleRect;
  const [first, height] = rows ?? [0, all];
  const rect = rows ? { x, y: y + first, width, height } : undefined;
  const { data, planes: [plane] } = await copier.copy(frame, rect ? { ...RGBA_COPY, rect } : RGBA_COPY);
  if (plane.offset !== 0 || plane.stride !== 4 * width) {
    copier.give(data);
    throw new Error('copyTo gave padded RGBA rows');
  }
  return new ImageData(data, width, height);
}

/** How many strips of rows [`drawRgba`] copies a frame above [`RGBA_MAX_PIXELS`] in. */
const STRIPS = 4;

/**
 * Puts the frame's visible pixels into `ctx` (its canvas the frame's visible size) through
 * `copyTo` RGBA: in [`STRIPS`] strips of rows above 2560×1440, so a 4K pick needs an 8 MB
 * copy beside its canvas, not a second 33 MB one (the encode stage was a 4K pick's
 * memory peak). The frame stays open.
 */
export async function drawRgba(frame, ctx, copier) {
  const { width, height } = frame.visibleRect;
  const step = width * height > RGBA_MAX_PIXELS ? 2 * Math.ceil(height / STRIPS / 2) : height;
  for (let first = 0; first < height; first += step) {
    const count = Math.min(step, height - first);
    const pixels = await rgbaPixels(frame, copier, step === height ? null : [first, count]);
    ctx.putImageData(pixels, 0, first);
    copier.give(pixels.data);
  }
}
