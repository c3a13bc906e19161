// framepick's dedicated Worker: owns the wasm module, the rayon thread pool and the
// VideoDecoder. The main thread only posts requests and receives progress and results.
// Glue only: demuxing, metrics, faces and ranking happen in Rust.

const PROGRESS_WEIGHTS = { demux: 0.02, decode: 0.53, dense: 0.25, analyse: 0.12, encode: 0.08 };
const MAX_QUEUED_CHUNKS = 12;
const MAX_RUN_BYTES = 8 << 20;
const MAX_DECODER_RESETS = 20;
// Decode budget (sampling::decode_budget): units a minute of 1080p video, one unit a
// delta frame, four a keyframe (more for smaller frames; clips up to a minute get 800).
// A 2-minute 1080p video gets 400: its 60 keyframes at 2 s GOPs and 160 frames more,
// about 3.3 s of software decoding on 2 cores.
const DECODE_UNITS_PER_MINUTE = 200;
// A dense frame may sit this far from the time asked for, if cheaper.
const DENSE_TOLERANCE_S = 0.5;
// Full-size copies of frames that may still be picked (hold.js), so picks need no second
// decode: 64 MiB is 21 frames of 1080p (I420), 5 of 4K. Only frames that would cost at
// least HOLD_MIN_UNITS to decode again (a plan's `alone`) are held: a keyframe (4) or a
// frame just after one is cheaper to decode again than to keep.
const HOLD_BYTES = 64 << 20;
const HOLD_MIN_UNITS = 12;

let wasm = null;
let wasmExports = null; // for memory.buffer.byteLength in the report
let engine = null; // { flavour, threads, faceModel, modelError, gpuMode }
let gpuState = null; // { mode, gpu, info }: the WebGPU device, opened on first use
const aborted = new Set();
// Per request, where the page is cross-origin isolated: a shared flag the page sets on
// abort. Unlike the `abort` message, it is seen while this worker is inside a long
// synchronous call (deep analysis), whose progress callback reads it.
const cancelFlags = new Map();
const isAborted = (id) => aborted.has(id) || cancelFlags.get(id)?.[0] === 1;

// While a request runs, a beat every second tells the page this worker's event loop still
// turns. A worker stuck in a synchronous call (a rayon pool thread that trapped leaves
// its caller waiting for ever) stops beating, and the page's watchdog replaces it
// (`stallTimeoutMs`, framepick.js). Long synchronous work posts progress instead.
const HEARTBEAT_MS = 1000;
let busy = 0;
let heartbeat = null;

function working(delta) {
  busy += delta;
  if (busy > 0 && !heartbeat) heartbeat = setInterval(() => self.postMessage({ type: 'alive' }), HEARTBEAT_MS);
  if (busy === 0 && heartbeat) {
    clearInterval(heartbeat);
    heartbeat = null;
  }
}

class FramepickError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'FramepickError';
    this.code = code;
  }
}

self.onmessage = async ({ data }) => {
  const { type, id } = data;
  if (type === 'abort') {
    aborted.add(id);
    return;
  }
  // Frames from the <video> fallback on the main thread: no reply, errors kept for `end`.
  if (type === 'frame') return pushExternal(data);
  if (type === 'drop') return dropExternal(data.session);
  working(+1);
  if (data.cancel) cancelFlags.set(id, data.cancel);
  try {
    let result;
    let transfer = [];
    if (type === 'init') result = await init(data.options);
    else if (type === 'pick') ({ result, transfer } = await pick(id, data.file, data.options));
    else if (type === 'inspect') result = await inspect(id, data.file, data.times, data.options);
    else if (type === 'begin') result = beginExternal(data.session, data.meta);
    else if (type === 'end') result = endExternal(data.session);
    else throw new FramepickError('INVALID_ARGUMENT', `unknown request ${type}`);
    self.postMessage({ type: 'result', id, result }, transfer);
  } catch (e) {
    self.postMessage({ type: 'error', id, error: serializeError(e) });
  } finally {
    aborted.delete(id);
    cancelFlags.delete(id);
    working(-1);
  }
};

function serializeError(e) {
  if (e && e.code) return { code: e.code, message: e.message };
  if (e && e.name === 'AbortError') return { code: 'ABORTED', message: 'the run was cancelled' };
  // A trap (a Rust panic or allocation failure aborts) leaves the wasm instance unusable:
  // `fatal` tells the page to start a fresh worker for the next request.
  if (e instanceof WebAssembly.RuntimeError) {
    const bytes = wasmExports?.memory?.buffer.byteLength ?? 0;
    const max = engine?.flavour === 'threads' ? 2 ** 30 : 2 ** 32;
    return bytes > 0.75 * max
      ? { code: 'OUT_OF_MEMORY', fatal: true, message: `wasm memory ran out (${bytes >> 20} MiB): ` +
          'lower analysisSize or deepK; the next request starts a fresh worker' }
      : { code: 'INTERNAL', fatal: true, message: `the analysis crashed (${e.message}); ` +
          'the next request starts a fresh worker' };
  }
  if (e instanceof RangeError && /allocat|memory/i.test(e.message)) {
    return { code: 'OUT_OF_MEMORY', message: `the browser could not allocate memory: ${e.message}` };
  }
  return { code: 'INTERNAL', message: String(e && e.message ? e.message : e) };
}

/** How long the rayon pool may take to start before the single-thread build is used. */
const THREAD_POOL_DEADLINE_MS = 15_000;

/**
 * Start the rayon pool, or fail fast: under a CSP without `worker-src blob:` the pool's
 * workers are refused and `initThreadPool` would wait for them for ever.
 */
function startThreadPool(n) {
  let onViolation;
  const refused = new Promise((_, reject) => {
    onViolation = (e) => reject(new Error(`the page's Content-Security-Policy refused ${e.blockedURI || 'a worker'} ` +
      `(${e.violatedDirective}); threads need worker-src 'self' blob:`));
    self.addEventListener('securitypolicyviolation', onViolation);
  });
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the thread pool did not start within ${THREAD_POOL_DEADLINE_MS / 1000} s`)),
      THREAD_POOL_DEADLINE_MS);
  });
  return Promise.race([wasm.initThreadPool(n), refused, late]).finally(() => {
    clearTimeout(timer);
    self.removeEventListener('securitypolicyviolation', onViolation);
  });
}

async function init(options) {
  const isolated = self.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function';
  let flavour = isolated && options.threads !== 1 ? 'threads' : 'single';
  const base = new URL('./pkg/', import.meta.url);
  const load = async (f) => {
    wasm = await import(new URL(`${f}/framepick.js`, base).href);
    wasmExports = await wasm.default();
  };
  await load(flavour);
  let threadsError = null;
  if (flavour === 'threads') {
    try {
      await startThreadPool(Math.max(1, options.threads || navigator.hardwareConcurrency || 2));
    } catch (e) {
      threadsError = e.message;
      flavour = 'single';
      await load(flavour);
    }
  }
  engine = { flavour, threads: wasm.threadCount(), faceModel: null, modelError: null, threadsError,
    gpuMode: options.gpu ?? 'auto' };
  const modelUrl = options.faceModelUrl || new URL('models/retinaface-mnet025.onnx', base).href;
  const t0 = performance.now();
  try {
    const res = await fetch(modelUrl);
    if (!res.ok) throw new FramepickError('MODEL_LOAD_FAILED', `face model ${modelUrl}: HTTP ${res.status}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    engine.faceModel = new wasm.FaceModel(bytes, options.faceInputSize);
  } catch (e) {
    engine.modelError = serializeError(e);
    if (options.requireModels) throw e;
  }
  // Emotion model (optional): held by the face model; without it faces get no emotion.
  if (engine.faceModel) {
    const emotionUrl = options.emotionModelUrl || new URL('models/emotion-minixception.onnx', base).href;
    try {
      const res = await fetch(emotionUrl);
      if (!res.ok) throw new FramepickError('MODEL_LOAD_FAILED', `emotion model ${emotionUrl}: HTTP ${res.status}`);
      engine.faceModel.loadEmotion(new Uint8Array(await res.arrayBuffer()));
    } catch (e) {
      engine.emotionError = serializeError(e);
      if (options.requireModels) throw e;
    }
  }
  engine.modelLoadMs = performance.now() - t0;
  return {
    flavour,
    threads: engine.threads,
    // Why the threaded build could not be used on an isolated page (null when it was).
    threadsError,
    crossOriginIsolated: isolated,
    faceModel: engine.faceModel !== null,
    modelError: engine.modelError,
    emotionModel: engine.faceModel?.hasEmotion === true,
    emotionError: engine.emotionError || null,
  };
}

function newAnalysis(view, durationS, options) {
  const top = options.top || 10;
  const analysis = new wasm.Analysis(
    top, options.deepK || 30, view.width, view.height,
    options.minGap ?? Math.min(2, durationS / (top * 2)),
    { niche: options.niche, weights: options.weights });
  // Bad crop ratios throw INVALID_ARGUMENT here, before anything is decoded.
  try { if (options.crops != null) analysis.setCrops(options.crops); } catch (e) { analysis.free(); throw e; }
  if (options.maxAnalysisBytes) analysis.setMemoryBudget(options.maxAnalysisBytes);
  return analysis;
}

/** Analysis runs fed with frames decoded elsewhere (the <video> fallback). */
const external = new Map(); // session → { analysis, error, t0 }

function beginExternal(session, meta) {
  if (!wasm) throw new FramepickError('INVALID_ARGUMENT', 'the worker was not initialised');
  external.set(session, { analysis: newAnalysis(meta, meta.durationS, meta.options), error: null,
    t0: performance.now() });
  return true;
}

function pushExternal({ session, ptsUs, width, height, data }) {
  const run = external.get(session);
  if (!run || run.error) return;
  try { run.analysis.pushFrame(ptsUs, width, height, new Uint8Array(data)); } catch (e) { run.error = e; }
}

function endExternal(session) {
  const run = external.get(session);
  if (!run) throw new FramepickError('INVALID_ARGUMENT', 'no such analysis session');
  if (run.error) throw run.error;
  const t0 = performance.now();
  const out = finishAnalysis(run.analysis);
  return { candidates: out.candidates, report: { ...out.report, wasm: engine.flavour,
    threads: engine.threads, modelLoadMs: engine.modelLoadMs, timings: { deepMs: performance.now() - t0 } } };
}

function dropExternal(session) {
  external.get(session)?.analysis.free();
  external.delete(session);
}

/**
 * Deep analysis and ranking, with or without the face model. `onProgress(fraction)` is
 * called from inside the (synchronous) wasm call after each slice of frames; `cancelled()`
 * is asked there too, so an abort stops deep analysis between slices.
 */
function finishAnalysis(analysis, onProgress = () => self.postMessage({ type: 'alive' }), cancelled = () => false) {
  const warnings = [];
  const progress = (done, total) => {
    onProgress(done / total);
    return !cancelled();
  };
  let out;
  if (engine.faceModel) {
    if (!engine.faceModel.hasEmotion) warnings.push(`emotion skipped: ${engine.emotionError?.message || 'no emotion model'}`);
    out = analysis.finish(engine.faceModel, undefined, progress);
  } else {
    warnings.push(`deep analysis skipped, picks use the quick metrics only: ${engine.modelError?.message || 'no face model'}`);
    out = analysis.finishWithoutModels(undefined, progress);
  }
  return { candidates: out.candidates, report: { ...out.report, warnings: [...out.report.warnings, ...warnings] } };
}

/**
 * The decode-plan options (issue 14): a non-number would silently mean "no budget" or
 * "no hold", so it is refused before anything is read.
 */
function checkDecodeOptions({ decodeBudget, denseTolerance, holdBytes }) {
  const bad = [
    [decodeBudget, (v) => typeof v === 'number' && v > 0, 'decodeBudget must be a number of units over 0 (Infinity: no budget)'],
    [denseTolerance, (v) => typeof v === 'number' && v >= 0 && Number.isFinite(v), 'denseTolerance must be seconds, 0 or more'],
    [holdBytes, (v) => typeof v === 'number' && v >= 0, 'holdBytes must be a byte count, 0 or more (0: off)'],
  ].find(([v, ok]) => v !== undefined && !ok(v));
  if (bad) throw new FramepickError('INVALID_ARGUMENT', `${bad[2]}, not ${JSON.stringify(bad[0])}`);
}

/** Caps checked before any decoding (docs/api.md, docs/bad-input.md); each pick option overrides its default. */
function checkLimits(file, track, { maxFileBytes = 2 ** 34, maxPixels = 8192 * 8192, maxFrames = 2e6 }) {
  const pixels = track.codedWidth * track.codedHeight;
  const over = [
    [file.size > maxFileBytes, 'INPUT_TOO_LARGE', `the file is ${file.size} bytes, over maxFileBytes ` +
      `(${maxFileBytes}): pass a larger maxFileBytes to pick(), or trim the video`],
    [pixels > maxPixels, 'RESOLUTION_TOO_LARGE', `the video declares ${track.codedWidth}x${track.codedHeight} ` +
      `pixels (${pixels}), over maxPixels (${maxPixels}): pass a larger maxPixels to pick(), or re-encode it smaller`],
    [track.samples.length > maxFrames, 'TOO_MANY_FRAMES', `the video has ${track.samples.length} frames, ` +
      `over maxFrames (${maxFrames}): pass a larger maxFrames to pick(), or split the video`],
  ].find(([hit]) => hit);
  if (over) throw new FramepickError(over[1], over[2]);
}

function checkAbort(id) {
  if (isAborted(id)) throw new FramepickError('ABORTED', 'the run was cancelled');
}

/** Progress across stages, monotonic: each stage owns a slice of 0–1. */
function progressReporter(id, onStageDone) {
  const order = Object.keys(PROGRESS_WEIGHTS);
  let last = 0;
  return (stage, fraction) => {
    let before = 0;
    for (const s of order) {
      if (s === stage) break;
      before += PROGRESS_WEIGHTS[s];
    }
    const overall = Math.max(last, before + PROGRESS_WEIGHTS[stage] * Math.min(1, fraction));
    last = overall;
    self.postMessage({ type: 'progress', id, progress: { stage, fraction: overall } });
    onStageDone?.(stage);
  };
}

async function pick(id, file, options) {
  if (!wasm) throw new FramepickError('INVALID_ARGUMENT', 'the worker was not initialised');
  checkDecodeOptions(options);
  const progress = progressReporter(id);
  const timings = {};
  const t0 = performance.now();
  const demuxer = wasm.Demuxer.open(file);
  let analysis = null;
  let hold = null;
  try {
    const track = demuxer.track();
    checkLimits(file, track, options);
    timings.demuxMs = performance.now() - t0;
    progress('demux', 1);
    const config = await decoderConfig(demuxer, track);

    // Pictures are upright: a 90°/270° track matrix swaps width and height.
    const view = track.rotation % 180
      ? { width: track.displayHeight, height: track.displayWidth, rotation: track.rotation }
      : { width: track.displayWidth, height: track.displayHeight, rotation: track.rotation };
    const analysisLong = options.analysisSize || 320;
    const scale = Math.min(1, analysisLong / Math.max(view.width, view.height));
    const aw = Math.max(1, Math.round(view.width * scale));
    const ah = Math.max(1, Math.round(view.height * scale));
    const durationS = track.durationUs / 1e6;
    // Coarse pass on keyframes (each decodes alone), gaps over `maxGap` filled from a
    // grid; or a plain grid when the caller sets sampleInterval. Dense pass after.
    const [minGap, maxGap] = wasm.coarseSpacing(durationS, options.top || 10, options.maxSamples || 240);
    const interval = options.sampleInterval || maxGap;
    analysis = newAnalysis(view, durationS, options);

    // Quick metrics per frame: on WebGPU (sums computed from the frame on the GPU),
    // else drawImage to an analysis-size canvas and the metrics in wasm.
    const t1 = performance.now();
    const { gpu, info: gpuInfo } = await gpuFor(options.gpu ?? engine.gpuMode);
    const measure = quickMeasure(analysis, gpu, aw, ah, view.rotation, options.lowMemory !== false);
    hold = await frameHold(options.holdBytes ?? HOLD_BYTES, () => analysis.standingPts());
    const alone = new Map(); // pts → units to decode the frame again on its own
    const planned = (plan) => {
      plan.targets.forEach((t, k) => alone.set(track.samples[t].ptsUs, plan.alone[k]));
      return plan;
    };
    const onFrame = (frame) => {
      if (hold && (alone.get(frame.timestamp) ?? 0) >= HOLD_MIN_UNITS) hold.hold(frame);
      measure.frame(frame);
    };
    // Keyframes thinned to about maxSamples on long videos; short clips sampled densely
    // enough to give every pick asked a choice (sampling::coarse_spacing).
    // Under a decode budget (issue 14): with long GOPs the fills between keyframes are
    // frames early in their GOP, not a grid that decodes whole GOPs.
    const perMinute = options.decodeBudget ?? DECODE_UNITS_PER_MINUTE;
    const budget = Number.isFinite(perMinute)
      ? wasm.decodeBudget(durationS, track.codedWidth, track.codedHeight, perMinute) : undefined;
    const grid = planned(options.sampleInterval ? demuxer.planGrid(interval)
      : demuxer.planCoarse(minGap, maxGap, budget));
    const decoded = await decodeTargets(id, demuxer, track, config, grid, onFrame,
      (f) => progress('decode', f));
    await measure.settled();
    timings.decodeMs = performance.now() - t1;
    if (analysis.framesSampled() === 0) throw new FramepickError('NO_FRAMES', 'no frame of the video could be decoded');

    // Loudness around the coarse samples (optional): loud moments raise their segments.
    const ta = performance.now();
    const audio = await measureAudio(id, demuxer, analysis, options);
    timings.audioMs = performance.now() - ta;

    // Shots, transitions and importance segments from the coarse pass; then pass 2,
    // dense, only inside the segments that matter (two-stage filtering).
    checkAbort(id);
    const t15 = performance.now();
    const densePlan = options.twoPass === false ? { times: [] }
      : analysis.planDense(options.maxDense ?? Math.max(20, 3 * (options.top || 10)));
    const denseBudget = budget === undefined ? undefined : wasm.denseBudget(budget, grid.cost.units);
    const dense = planned(demuxer.planTimes(densePlan.times, analysis.sampledPts(),
      options.denseTolerance ?? DENSE_TOLERANCE_S, denseBudget));
    const denseDecoded = dense.targets.length === 0 ? { framesDecoded: 0, framesSkipped: 0, warnings: [] }
      : await decodeTargets(id, demuxer, track, config, dense, onFrame, (f) => progress('dense', f));
    await measure.settled();
    progress('dense', 1);
    timings.denseMs = performance.now() - t15;

    // Deep analysis on the survivors, across the rayon pool.
    checkAbort(id);
    const t2 = performance.now();
    const warnings = [];
    // Test hook: a rayon pool thread that dies while this thread waits (docs/bad-input.md).
    if (options.__fault === 'pool-trap') wasm.debugTrapInPool();
    const out = finishAnalysis(analysis, (f) => progress('analyse', f), () => isAborted(id));
    timings.deepMs = performance.now() - t2;
    progress('analyse', 1);

    // Full-size pictures for the picks only.
    checkAbort(id);
    const t3 = performance.now();
    const encoded = await encodePicks(id, demuxer, track, config, view, out.candidates, options, progress, hold);
    timings.encodeMs = performance.now() - t3;
    timings.totalMs = performance.now() - t0;
    // Of decodeMs and denseMs: turning copyTo pictures into analysis frames in wasm.
    timings.scaleMs = measure.yuvMs;

    // A pick whose frame failed to decode at full size is dropped, with a warning.
    const candidates = out.candidates
      .map((c, i) => ({ ...c, width: view.width, height: view.height, blob: encoded.blobs[i] }))
      .filter((c) => c.blob);
    if (candidates.length < out.candidates.length) {
      warnings.push(`${out.candidates.length - candidates.length} pick(s) could not be decoded at full size`);
    }
    const report = {
      ...out.report,
      warnings: [...out.report.warnings, ...warnings, ...decoded.warnings, ...denseDecoded.warnings,
        ...measure.warnings, ...encoded.warnings],
      decoder: 'webcodecs',
      audio,
      gpu: { ...gpuInfo, used: measure.gpuFrames > 0, framesOnGpu: measure.gpuFrames,
        framesOnCpu: measure.cpuFrames, pixelsReadBack: measure.pixelReads },
      // CPU frames scaled in wasm from copyTo (the rest were drawn on a canvas).
      framesFromYuv: measure.yuvFrames,
      wasm: engine.flavour,
      threads: engine.threads,
      codec: track.codec,
      width: view.width,
      height: view.height,
      rotation: view.rotation,
      durationS,
      frameRate: track.frameRate,
      samples: track.samples.length,
      sampleInterval: interval,
      analysisSize: [aw, ah],
      framesDecoded: decoded.framesDecoded + denseDecoded.framesDecoded + encoded.framesDecoded,
      framesDecodedPass1: decoded.framesDecoded,
      framesDecodedPass2: denseDecoded.framesDecoded,
      framesSkipped: decoded.framesSkipped + denseDecoded.framesSkipped + encoded.framesSkipped,
      // Full-size copies kept while decoding (hold.js): picks taken from them were not decoded again.
      hold: hold ? { maxBytes: hold.maxBytes, peakBytes: hold.peakBytes, held: hold.held,
        released: hold.released, picksFromHold: encoded.fromHold } : null,
      // What each pass was planned to cost before decoding (decode units: a delta frame
      // 1, a keyframe 4; `frames` counts non-reference pictures later skipped).
      decodePlan: { budget: budget ?? null, unitsPerMinute: Number.isFinite(perMinute) ? perMinute : null,
        coarse: grid.cost, dense: dense.cost, encode: encoded.cost ?? null },
      rangeReads: demuxer.rangeReads(),
      bytesRead: demuxer.bytesRead(),
      fileBytes: file.size,
      wasmMemoryBytes: wasmExports?.memory?.buffer.byteLength ?? null,
      modelLoadMs: engine.modelLoadMs,
      timings,
    };
    return { result: { candidates, report }, transfer: [] };
  } finally {
    hold?.clear();
    analysis?.free();
    demuxer.free();
  }
}

/**
 * The full-size frame hold (hold.js), or null where it is off (`holdBytes: 0`) or
 * hold.js was not copied beside worker.js (the picks are then decoded again).
 */
async function frameHold(maxBytes, standing) {
  if (!(maxBytes > 0)) return null;
  const mod = await import('./hold.js').catch(() => null);
  return mod ? new mod.FrameHold(maxBytes, standing) : null;
}

/**
 * Loudness for importance segments: decode only the audio around the coarse samples
 * (WebCodecs AudioDecoder) and hand the first channel to wasm. Optional: a file with no
 * (AAC) audio, a browser without AudioDecoder or `audio: false` just goes without, and
 * `report.audio` says why.
 */
async function measureAudio(id, demuxer, analysis, options) {
  if (options.audio === false) return { used: false, reason: 'disabled by the caller (audio: false)' };
  if (typeof AudioDecoder !== 'function') return { used: false, reason: 'this browser has no WebCodecs AudioDecoder' };
  const track = demuxer.audioTrack();
  if (track.reason) return { used: false, reason: track.reason };
  const config = { codec: track.codec, sampleRate: track.sampleRate, numberOfChannels: track.channels,
    description: demuxer.audioDescription() };
  const support = await AudioDecoder.isConfigSupported(config).catch(() => ({ supported: false }));
  if (!support.supported) return { used: false, codec: track.codec, reason: `the browser cannot decode ${track.codec} audio` };
  const runs = demuxer.planAudio(analysis.sampledPts());
  let failed = null;
  let blocks = 0;
  // Chromium stamps decoded audio as one continuous stream from the first chunk,
  // whatever the gaps between runs: each run is flushed and timed from its own start.
  const run = { startUs: 0, frames: 0 };
  const decoder = new AudioDecoder({
    output: (data) => {
      try {
        const pcm = new Float32Array(data.numberOfFrames);
        data.copyTo(pcm, { planeIndex: 0, format: 'f32-planar' });
        analysis.pushAudio(run.startUs + (run.frames * 1e6) / data.sampleRate, data.sampleRate, pcm);
        run.frames += data.numberOfFrames;
        blocks++;
      } catch (e) {
        failed ??= e;
      } finally {
        data.close();
      }
    },
    error: (e) => { failed ??= e; },
  });
  try {
    decoder.configure(config);
    for (const { first, last } of runs) {
      checkAbort(id);
      const { bytes, offsets, samples } = demuxer.readAudio(first, last);
      Object.assign(run, { startUs: samples[0].ptsUs, frames: 0 });
      for (const [k, s] of samples.entries()) {
        if (failed) break;
        decoder.decode(new EncodedAudioChunk({ type: 'key', timestamp: s.ptsUs, duration: s.durationUs,
          data: bytes.subarray(offsets[k], offsets[k] + s.size) }));
        if (decoder.decodeQueueSize > MAX_QUEUED_CHUNKS) await drained(decoder);
      }
      await decoder.flush();
    }
  } catch (e) {
    failed ??= e;
  } finally {
    if (decoder.state !== 'closed') decoder.close();
  }
  if (failed?.code === 'ABORTED') throw failed;
  return { used: blocks > 0 && !failed, codec: track.codec, sampleRate: track.sampleRate,
    channels: track.channels, runs: runs.length, blocksDecoded: blocks,
    ...(failed ? { reason: `audio decoding failed: ${failed.message}` } : {}) };
}

/**
 * The WebGPU quick-filter device for `mode` ('auto' | true | false), opened once.
 * gpu.js is imported only when asked for, beside this file: a bundler that copied
 * worker.js alone (without gpu.js) gets the CPU path and a reason, not a dead worker.
 */
async function gpuFor(mode) {
  if (gpuState?.mode !== mode || gpuState.gpu?.lost) {
    gpuState?.gpu?.destroy();
    let opened;
    if (mode === false) {
      opened = { gpu: null, info: { used: false, reason: 'disabled by the caller (gpu: false)' } };
    } else {
      opened = await import('./gpu.js').then(({ openGpu }) => openGpu(mode), (e) => ({ gpu: null,
        info: { used: false, reason: `gpu.js could not be loaded beside worker.js (${e.message})` } }));
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
function quickMeasure(analysis, gpu, aw, ah, rotation, lowMemory = false) {
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
  // else I420/NV12) and scaled in wasm (src/yuv.rs): a canvas drawImage of a VideoFrame
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
  state.settled = async () => {
    const all = state.inflight.splice(0);
    await Promise.all(all);
  };
  return state;
}

/** Copy buffers kept for reuse (more are made while copies overlap). */
const FREE_COPIES = 2;
/** `copyTo` options that have the browser convert to sRGB RGBA (Chromium 127+). */
const RGBA_COPY = { format: 'RGBA', colorSpace: 'srgb' };

/**
 * `copyTo` into buffers (made by `make(bytes)`) reused through a free list:
 * `copy(frame, options)` → `{ data, planes }`; `give(data)` returns a buffer once read.
 */
function frameCopier(make = (n) => new Uint8Array(n)) {
  const free = [];
  const give = (data) => { if (free.length < FREE_COPIES) free.push(data); };
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
  return { copy, give };
}

/**
 * Copies VideoFrames out (`copyTo`) into reused buffers: converted to RGBA by the
 * browser where it can (Chromium 127+: its own SIMD conversion, each pixel clamped as a
 * canvas does, then only a box downscale is left to wasm), else I420/NV12 as decoded
 * (converted in wasm, slower). `read(frame)` → `{ timestamp, format, width, height,
 * data, layout: [offset, stride, …], matrix, fullRange, release() }` (the frame stays
 * open; the caller closes it).
 */
function yuvReader({ rgba: convert = true } = {}) {
  const { copy, give } = frameCopier();
  let rgba = convert ? RGBA_COPY : null;
  return {
    takes: (frame) => rgba !== null || frame.format === 'I420' || frame.format === 'NV12',
    async read(frame) {
      let got = null;
      if (rgba) {
        // A browser without converting copyTo throws (TypeError or NotSupportedError).
        got = await copy(frame, rgba).catch(() => { rgba = null; return null; });
      }
      if (!got && frame.format !== 'I420' && frame.format !== 'NV12') {
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

/**
 * What the frames shown at `times` (seconds) look like, decoded as picks are: mean
 * colour, and with `metrics` the quick metrics on the CPU path and, where WebGPU
 * runs (`gpu`), on the GPU path and on the GPU's own downscale measured by the CPU.
 */
async function inspect(id, file, times, { metrics = false, gpu: gpuMode = false, analysisSize = 320 } = {}) {
  const demuxer = wasm.Demuxer.open(file);
  try {
    const track = demuxer.track();
    const config = await decoderConfig(demuxer, track);
    const plan = demuxer.planTimes(times.map((t) => Math.round(t * 1e6)));
    const ctx = new OffscreenCanvas(16, 16).getContext('2d', { willReadFrequently: true });
    const rot = track.rotation || 0;
    const [vw, vh] = rot % 180 ? [track.displayHeight, track.displayWidth] : [track.displayWidth, track.displayHeight];
    const scale = Math.min(1, analysisSize / Math.max(vw, vh));
    const [aw, ah] = [Math.max(1, Math.round(vw * scale)), Math.max(1, Math.round(vh * scale))];
    const actx = new OffscreenCanvas(aw, ah).getContext('2d', { willReadFrequently: true });
    const { gpu, info: gpuInfo } = metrics ? await gpuFor(gpuMode) : { gpu: null, info: null };
    const yuv = yuvReader();
    // The fallback where copyTo cannot convert to RGBA: I420/NV12 converted in wasm.
    const planar = yuvReader({ rgba: false });
    const seen = new Map();
    const pending = [];
    const { framesDecoded, framesSkipped } = await decodeTargets(id, demuxer, track, config, plan, (frame) => {
      ctx.drawImage(frame, 0, 0, 16, 16);
      const d = ctx.getImageData(0, 0, 16, 16).data;
      const rgb = [0, 1, 2].map((c) => {
        let sum = 0;
        for (let i = c; i < d.length; i += 4) sum += d[i];
        return Math.round(sum / (d.length / 4));
      });
      const entry = { rgb };
      seen.set(frame.timestamp, entry);
      if (metrics) {
        drawOriented(actx, frame, aw, ah, rot);
        entry.cpu = wasm.quickMetrics(aw, ah, aw * 4, actx.getImageData(0, 0, aw, ah).data);
        // The same frame as the pick's copyTo paths turn it into the analysis frame:
        // `yuv` as a pick does here (RGBA where the browser converts), `planar` the fallback.
        for (const [reader, key] of [[yuv, 'yuv'], [planar, 'planar']]) {
          if (!reader.takes(frame)) continue;
          const copy = frame.clone();
          pending.push(reader.read(copy).then((pic) => {
            entry[key] = wasm.quickMetricsYuv(pic.format, pic.width, pic.height, pic.data, pic.layout, pic.matrix,
              pic.fullRange, [aw, ah, rot]);
            if (key === 'yuv') entry.copiedAs = pic.format;
            pic.release();
          }).finally(() => copy.close()));
        }
      }
      if (!gpu) return frame.close();
      pending.push(gpu.measure(frame, aw, ah, rot).then(async (r) => {
        try {
          entry.gpu = wasm.quickMetricsFromGpu(aw, ah, r.acc, r.partials);
          entry.gpuPixelsOnCpu = wasm.quickMetrics(aw, ah, r.stride, await r.pixels());
        } finally {
          r.release();
        }
      }));
    }, () => {});
    await Promise.all(pending);
    const frames = plan.targets.map((i) => {
      const s = track.samples[i];
      return { time: s.ptsUs / 1e6, keyframe: s.keyframe, rgb: null, ...seen.get(s.ptsUs) };
    });
    return { frames, framesDecoded, framesSkipped, codec: track.codec, frameRate: track.frameRate,
      samples: track.samples.length, keyframes: track.samples.filter((s) => s.keyframe).length,
      analysisSize: [aw, ah], gpu: gpuInfo };
  } finally {
    demuxer.free();
  }
}

async function decoderConfig(demuxer, track) {
  if (typeof VideoDecoder !== 'function') {
    throw new FramepickError('UNSUPPORTED_CODEC',
      `this browser has no WebCodecs VideoDecoder, so ${track.codec} cannot be decoded`);
  }
  const config = {
    codec: track.codec,
    codedWidth: track.codedWidth,
    codedHeight: track.codedHeight,
    description: demuxer.description(),
    optimizeForLatency: true,
  };
  const support = await VideoDecoder.isConfigSupported(config);
  if (!support.supported) {
    throw new FramepickError('UNSUPPORTED_CODEC',
      `the browser cannot decode ${track.codec} (${track.codedWidth}x${track.codedHeight}); ` +
      're-encode as H.264, VP9 or AV1');
  }
  return config;
}

/**
 * Feed the decoder the planned runs (each starts at a keyframe) and hand every frame
 * whose timestamp is a target to `onTarget`, which must close it. Other frames are
 * closed at once, so the decoder never stalls on frames we hold. A chunk the decoder
 * rejects costs the rest of its GOP, not the run: the decoder is rebuilt and feeding
 * resumes at the next keyframe, with a warning.
 */
async function decodeTargets(id, demuxer, track, config, plan, onTarget, onProgress) {
  const wanted = new Set(plan.targets.map((i) => track.samples[i].ptsUs));
  const warnings = [];
  let fatal = null;
  let broken = null; // the decoder's last error, until we rebuild it
  let framesDecoded = 0;
  let framesSkipped = 0; // non-reference pictures left out of the runs
  const makeDecoder = () => {
    const d = new VideoDecoder({
      output: (frame) => {
        framesDecoded++;
        if (fatal || !wanted.has(frame.timestamp)) return frame.close();
        wanted.delete(frame.timestamp);
        try { onTarget(frame); } catch (e) { fatal = e; frame.close(); }
      },
      error: (e) => { broken = e; },
    });
    d.configure(config);
    return d;
  };
  let decoder = makeDecoder();
  const recover = (at) => {
    warnings.push(`corrupt data near ${(at / 1e6).toFixed(2)} s: skipped to the next keyframe ` +
      `(${broken?.message || 'decoder error'})`);
    if (warnings.length > MAX_DECODER_RESETS) {
      throw new FramepickError('CORRUPT_MEDIA', `too many corrupt frames; last near ${(at / 1e6).toFixed(2)} s`);
    }
    if (decoder.state !== 'closed') decoder.close();
    broken = null;
    decoder = makeDecoder();
  };
  // Feed runs back to back. No flush between runs: each starts at a keyframe, which a
  // decoder takes at any point, and a flush per run costs a round trip (most of the
  // time when runs are single keyframes).
  const feedRuns = async (runs, progress) => {
    let skipToKey = false;
    for (const run of runs) {
      for (let first = run.first; first <= run.last;) {
        const last = batchEnd(track.samples, first, run.last);
        const { bytes, offsets, disposable } = demuxer.readSamples(first, last);
        for (let i = first; i <= last; i++) {
          checkAbort(id);
          if (fatal) throw fatal;
          const s = track.samples[i];
          if (broken) { recover(s.ptsUs); skipToKey = true; }
          progress.fed++;
          if (skipToKey && !s.keyframe) continue;
          skipToKey = false;
          // A picture nothing refers to, and not one we want: no need to decode it.
          if (disposable?.[i - first] && !wanted.has(s.ptsUs)) {
            framesSkipped++;
            continue;
          }
          const off = offsets[i - first];
          try {
            decoder.decode(new EncodedVideoChunk({
              type: s.keyframe ? 'key' : 'delta',
              timestamp: s.ptsUs,
              duration: s.durationUs,
              data: bytes.subarray(off, off + s.size),
            }));
          } catch (e) {
            // Chromium checks keyframes synchronously: a damaged one throws here.
            broken = e;
            recover(s.ptsUs);
            skipToKey = true;
            continue;
          }
          if (decoder.decodeQueueSize > MAX_QUEUED_CHUNKS) await drained(decoder);
        }
        onProgress(Math.min(1, progress.fed / progress.total));
        first = last + 1;
      }
    }
  };
  try {
    const total = plan.runs.reduce((n, r) => n + r.last - r.first + 1, 0);
    const progress = { fed: 0, total };
    let runs = plan.runs;
    while (runs.length) {
      await feedRuns(runs, progress);
      await decoder.flush().catch((e) => { broken ??= e; });
      if (fatal) throw fatal;
      if (!broken) break;
      // The decoder failed after its input was queued and dropped what it held:
      // resume after the first run whose target never came out.
      const undelivered = runs.filter((r) => wanted.has(track.samples[r.last].ptsUs));
      if (!undelivered.length) break;
      recover(track.samples[undelivered[0].first].ptsUs);
      runs = undelivered.slice(1);
    }
    return { framesDecoded, framesSkipped, warnings };
  } finally {
    if (decoder.state !== 'closed') decoder.close();
  }
}

/** Draw a frame upright into a w×h canvas (w, h already swapped for 90°/270°). */
function drawOriented(ctx, frame, w, h, rotation) {
  if (!rotation) return ctx.drawImage(frame, 0, 0, w, h);
  const [dw, dh] = rotation % 180 ? [h, w] : [w, h];
  ctx.save();
  ctx.translate(w / 2, h / 2);
  ctx.rotate((rotation * Math.PI) / 180);
  ctx.drawImage(frame, -dw / 2, -dh / 2, dw, dh);
  ctx.restore();
}

/** Last sample index of a read batch: up to MAX_RUN_BYTES of sample data. */
function batchEnd(samples, first, runLast) {
  let bytes = 0;
  let i = first;
  while (i < runLast && bytes + samples[i].size < MAX_RUN_BYTES) bytes += samples[i++].size;
  return i;
}

function drained(decoder) {
  return new Promise((resolve) => {
    const done = () => { decoder.removeEventListener('dequeue', done); clearTimeout(t); resolve(); };
    // `dequeue` may not fire in every browser; the timer is the fallback.
    const t = setTimeout(done, 5);
    decoder.addEventListener('dequeue', done);
  });
}

/**
 * The frame's visible pixels as an ImageData, converted to sRGB RGBA by the browser, in a
 * buffer from `copier` (a `frameCopier` of Uint8ClampedArrays; give the buffer back once
 * drawn: a 4K picture is 33 MB).
 */
async function rgbaPixels(frame, copier) {
  const { data, planes: [plane] } = await copier.copy(frame, RGBA_COPY);
  const { width, height } = frame.visibleRect;
  if (plane.offset !== 0 || plane.stride !== 4 * width) {
    copier.give(data);
    throw new Error('copyTo gave padded RGBA rows');
  }
  return new ImageData(data, width, height);
}

/** Size of the encoded picks: the upright picture, scaled down to `maxWidth` if given. */
function pictureSize(view, maxWidth) {
  const scale = maxWidth > 0 ? Math.min(1, maxWidth / view.width) : 1;
  return { width: Math.max(1, Math.round(view.width * scale)), height: Math.max(1, Math.round(view.height * scale)) };
}

async function encodePicks(id, demuxer, track, config, view, candidates, options, progress, hold = null) {
  const none = { blobs: [], framesDecoded: 0, framesSkipped: 0, warnings: [], cost: null, fromHold: 0 };
  if (candidates.length === 0) return none;
  const type = options.format === 'webp' ? 'image/webp' : 'image/jpeg';
  const quality = options.quality ?? 0.9;
  const { width, height } = pictureSize(view, options.maxWidth);
  const pending = new Map();
  // Images of the crops asked for (`crops` option), cut from the same full-size frame.
  let cropError = null;
  const crops = options.crops ? await import('./encode-crops.js').catch((e) => { cropError = e; return null; }) : null;
  const cropping = new Map();
  // With `lowMemory` (the default) each pick goes frame → copyTo RGBA → a full-size
  // canvas (putImageData) → the output canvas, one pick after the other: drawing the
  // VideoFrame itself makes Chromium keep a full-size conversion of it, and ten 1080p
  // picks encoded at once held ~150 MiB. Where copyTo cannot convert, frames are drawn.
  let copyRgba = options.lowMemory !== false;
  let chain = Promise.resolve();
  let source = null;
  const copier = frameCopier((n) => new Uint8ClampedArray(n));
  const encodeOne = async (frame) => {
    const ts = frame.timestamp;
    const pixels = copyRgba ? await rgbaPixels(frame, copier).catch(() => { copyRgba = false; return null; }) : null;
    if (pixels) frame.close();
    const previous = chain;
    let done;
    chain = new Promise((resolve) => { done = resolve; });
    await previous;
    try {
      let picture = frame;
      if (pixels) {
        if (source?.width !== pixels.width || source?.height !== pixels.height) {
          source = new OffscreenCanvas(pixels.width, pixels.height);
        }
        source.getContext('2d').putImageData(pixels, 0, 0);
        copier.give(pixels.data);
        picture = source;
      }
      const same = picture === source && !view.rotation && width === source.width && height === source.height;
      const canvas = same ? source : new OffscreenCanvas(width, height);
      if (!same) drawOriented(canvas.getContext('2d'), picture, width, height, view.rotation);
      const pick = crops && candidates.find((c) => c.ptsUs === ts);
      if (pick) {
        cropping.set(ts, crops.cropBlobs((ctx, w, h) => drawOriented(ctx, picture, w, h, view.rotation),
          view, pick.crops, { type, quality, maxWidth: options.maxWidth }));
      }
      if (!pixels) frame.close();
      // Awaited before the next pick is drawn: `source` is reused.
      return await canvas.convertToBlob({ type, quality });
    } finally {
      done();
    }
  };
  const encode = (frame) => {
    pending.set(frame.timestamp, encodeOne(frame).catch((e) => {
      frame.close();
      throw e;
    }));
  };
  // Picks held at full size while they were decoded need no second decode.
  let fromHold = 0;
  for (const c of candidates) {
    const frame = await hold?.take(c.ptsUs);
    if (!frame) continue;
    encode(frame);
    fromHold++;
  }
  hold?.clear();
  const rest = candidates.filter((c) => !pending.has(c.ptsUs));
  let decoded = { ...none };
  let cost = null;
  if (rest.length) {
    const plan = demuxer.planTimes(rest.map((c) => c.ptsUs));
    cost = plan.cost;
    decoded = await decodeTargets(id, demuxer, track, config, plan, encode, (f) => progress('encode', f * 0.5));
  }
  // Candidate times are sample times (they came from decoded frames), so they match.
  const blobs = await Promise.all(candidates.map((c) => pending.get(c.ptsUs)));
  for (const c of candidates) {
    if (cropping.has(c.ptsUs)) c.crops = crops.withCropBlobs(c.crops, await cropping.get(c.ptsUs));
  }
  const warnings = [...decoded.warnings];
  if (cropError) warnings.push(`crop images skipped: encode-crops.js not loaded beside worker.js (${cropError.message})`);
  progress('encode', 1);
  return { blobs, framesDecoded: decoded.framesDecoded, framesSkipped: decoded.framesSkipped,
    warnings, cost, fromHold };
}
