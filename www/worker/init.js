// The worker's engine, loaded once by the `init` request: the wasm build, its thread
// pool and the models. Other modules import `wasm` and `engine` from here; ES module
// bindings are live, so they see what init() set, and there is one copy of each.
import { FramepickError } from './common.js';
import { hasRelaxedSimd } from './features.js';

export let wasm = null;
export let wasmExports = null; // for memory.buffer.byteLength in the report
export let engine = null; // { flavour, build, threads, faceModel, modelError, gpuMode }

export function serializeError(e) {
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

/**
 * Which of the three wasm builds in pkg/ to load: `threads` (isolated page, relaxed SIMD),
 * `single` (relaxed SIMD) or `baseline` (neither needs it: Safari, or `relaxedSimd: false`).
 */
function buildFor(flavour, relaxed) {
  if (flavour === 'threads') return 'threads';
  return relaxed ? 'single' : 'baseline';
}

export async function init(options) {
  const isolated = self.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function';
  const relaxed = options.relaxedSimd !== false && hasRelaxedSimd();
  let flavour = isolated && options.threads !== 1 ? 'threads' : 'single';
  let threadsError = null;
  if (flavour === 'threads' && !relaxed) {
    flavour = 'single';
    threadsError = options.relaxedSimd === false
      ? 'relaxedSimd: false asks for the baseline build, which is single-threaded'
      : 'this browser lacks WebAssembly relaxed SIMD, which the threaded build needs (Safari)';
  }
  // pkg/ is served beside worker.js, one folder up from this file.
  const base = new URL('../pkg/', import.meta.url);
  let build;
  const load = async (f) => {
    build = buildFor(f, relaxed);
    wasm = await import(new URL(`${build}/framepick.js`, base).href);
    wasmExports = await wasm.default();
  };
  await load(flavour);
  if (flavour === 'threads') {
    try {
      await startThreadPool(Math.max(1, options.threads || navigator.hardwareConcurrency || 2));
    } catch (e) {
      threadsError = e.message;
      flavour = 'single';
      await load(flavour);
    }
  }
  engine = { flavour, build, threads: wasm.threadCount(), faceModel: null, modelError: null, threadsError,
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
  if (options.warmUp !== false) setTimeout(warmUp, 0);
  return {
    flavour,
    // The build loaded: pkg/threads, pkg/single or pkg/baseline.
    build,
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

/**
 * Run both models once on a blank analysis frame, right after start-up. A web app creates
 * the picker long before the user chooses a file: by then the 16:9 detector plan is built
 * and V8 has compiled the hot wasm (tract's kernels) in its optimising tier, which would
 * otherwise happen during the first pick's deep stage (about 0.5 s of a 2-minute pick,
 * BENCHMARKS.md). A pick asked for at once waits for it: about 0.1–0.3 s it would have
 * spent building the plan anyway.
 */
function warmUp() {
  const model = engine?.faceModel;
  if (!model) return;
  const [w, h] = [320, 180];
  const grey = new Uint8Array(w * h * 4).fill(128);
  const t0 = performance.now();
  try {
    for (let i = 0; i < 3; i++) model.detect(w, h, grey);
    if (model.hasEmotion) model.emotion(w, h, grey, 128, 58, 64, 64);
    engine.warmUpMs = performance.now() - t0;
  } catch {
    // Only a head start: the pick builds what it needs either way.
  }
}
