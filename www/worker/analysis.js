// The wasm Analysis of a run: made for a video, fed by the worker's decoder or by the
// page's <video> fallback (begin / frame / end), and finished with deep analysis.
import { FramepickError } from './common.js';
import { wasm, engine } from './init.js';

export function newAnalysis(view, durationS, options) {
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

export function beginExternal(session, meta) {
  if (!wasm) throw new FramepickError('INVALID_ARGUMENT', 'the worker was not initialised');
  external.set(session, { analysis: newAnalysis(meta, meta.durationS, meta.options), error: null,
    t0: performance.now() });
  return true;
}

export function pushExternal({ session, ptsUs, width, height, data }) {
  const run = external.get(session);
  if (!run || run.error) return;
  try { run.analysis.pushFrame(ptsUs, width, height, new Uint8Array(data)); } catch (e) { run.error = e; }
}

export function endExternal(session) {
  const run = external.get(session);
  if (!run) throw new FramepickError('INVALID_ARGUMENT', 'no such analysis session');
  if (run.error) throw run.error;
  const t0 = performance.now();
  const out = finishAnalysis(run.analysis);
  return { candidates: out.candidates, report: { ...out.report, wasm: engine.flavour, wasmBuild: engine.build,
    threads: engine.threads, modelLoadMs: engine.modelLoadMs, timings: { deepMs: performance.now() - t0 } } };
}

export function dropExternal(session) {
  external.get(session)?.analysis.free();
  external.delete(session);
}

/**
 * Deep analysis and ranking, with or without the face model. `onProgress(fraction)` is
 * called from inside the (synchronous) wasm call after each slice of frames; `cancelled()`
 * is asked there too, so an abort stops deep analysis between slices.
 */
export function finishAnalysis(analysis, onProgress = () => self.postMessage({ type: 'alive' }), cancelled = () => false) {
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
