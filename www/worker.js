// framepick's dedicated Worker: owns the wasm module, the rayon thread pool and the
// VideoDecoder. The main thread only posts requests and receives progress and results.
// Glue only: demuxing, metrics, faces and ranking happen in Rust.
// Each stage lives in worker/, imported statically: worker/ must be served beside this
// file (docs/api.md, bundlers).
import { FramepickError, aborted, cancelFlags, checkAbort, isAborted } from './worker/common.js';
import { engine, init, serializeError, wasm, wasmExports } from './worker/init.js';
import { beginExternal, dropExternal, endExternal, finishAnalysis, newAnalysis, pushExternal } from './worker/analysis.js';
import { checkDecodeOptions, checkLimits, decoderConfig, decodeTargets } from './worker/decode.js';
import { gpuFor, quickMeasure } from './worker/measure.js';
import { measureAudio } from './worker/audio.js';
import { encodePicks, frameHold } from './worker/encode.js';
import { inspect } from './worker/inspect.js';

const PROGRESS_WEIGHTS = { demux: 0.02, decode: 0.53, dense: 0.25, analyse: 0.12, encode: 0.08 };
// Decode budget (sampling::decode_budget): units a minute of 1080p video, one unit a
// delta frame, four a keyframe (more for smaller frames; clips up to a minute get 800).
// A 2-minute 1080p video gets 400: its 60 keyframes at 2 s GOPs and 160 frames more,
// about 3.3 s of software decoding on 2 cores.
const DECODE_UNITS_PER_MINUTE = 200;
// A dense frame may sit this far from the time asked for, if cheaper.
const DENSE_TOLERANCE_S = 0.5;
// Full-size copies of frames that may still be picked (worker/hold.js), so picks need no
// second decode: 64 MiB is 21 frames of 1080p (I420), 5 of 4K. Only frames that would
// cost at least HOLD_MIN_UNITS to decode again (a plan's `alone`) are held: a keyframe (4)
// or a frame just after one is cheaper to decode again than to keep.
const HOLD_BYTES = 64 << 20;
const HOLD_MIN_UNITS = 12;

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
    measure.release();
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
      wasmBuild: engine.build,
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
      // Full-size copies kept while decoding (worker/hold.js): picks taken from them were not decoded again.
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
      warmUpMs: engine.warmUpMs ?? null,
      timings,
    };
    return { result: { candidates, report }, transfer: [] };
  } finally {
    hold?.clear();
    analysis?.free();
    demuxer.free();
  }
}
