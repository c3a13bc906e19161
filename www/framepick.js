// framepick: the main-thread API. Everything heavy runs in a dedicated Worker
// (worker.js), so the page never blocks. See README.md for an example.
import { uploadCandidates, UploadError } from './upload.js';
import { openVideo, seek, gridTimes } from './fallback.js';

export { UploadError };

/** Errors carry a stable `code` (UNSUPPORTED_CONTAINER, UNSUPPORTED_CODEC, CORRUPT_MEDIA,
 *  NO_VIDEO_TRACK, NO_FRAMES, MODEL_LOAD_FAILED, ABORTED, WORKER_CRASHED, …). */
export class FramepickError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'FramepickError';
    this.code = code;
  }
}

/** Errors after which the <video> element fallback is tried. */
const FALLBACK_CODES = new Set(['UNSUPPORTED_CODEC', 'UNSUPPORTED_CONTAINER', 'WEBCODECS_UNAVAILABLE']);

function rethrowTyped(e) {
  throw e instanceof FramepickError ? e : new FramepickError(e.code || 'INTERNAL', e.message);
}

export class FramePicker {
  #worker = null; // null after a crash: the next request starts a fresh one
  #ready = null; // the current worker's `init`
  #url;
  #options;
  #disposed = false;
  #nextId = 1;
  #pending = new Map();

  /** @private use FramePicker.create */
  constructor(url, options) {
    this.#url = url;
    this.#options = options;
  }

  /**
   * Start the worker, load the wasm build (threaded where the page is
   * crossOriginIsolated) and the face model.
   * @param {{threads?: number, faceModelUrl?: string, faceInputSize?: number,
   *          requireModels?: boolean, workerUrl?: string|URL}} [options]
   */
  static async create(options = {}) {
    const { workerUrl, ...rest } = options;
    const picker = new FramePicker(workerUrl || new URL('./worker.js', import.meta.url), rest);
    await picker.#start();
    return picker;
  }

  /** A worker with `init` done: the current one, or a new one after a crash. */
  #start() {
    if (this.#worker) return this.#ready;
    const worker = new Worker(this.#url, { type: 'module', name: 'framepick' });
    worker.onmessage = ({ data }) => this.#onMessage(data, worker);
    // An uncaught error (or a failed load) leaves the worker in an unknown state: drop
    // it, fail what it was doing, and let the next request start a new one.
    worker.onerror = (e) => {
      this.#drop(worker);
      this.#failAll(new FramepickError('WORKER_CRASHED',
        `the framepick worker stopped: ${e.message || 'unknown error'}`));
    };
    this.#worker = worker;
    this.#ready = this.#send('init', { options: this.#options }).then((info) => { this.info = info; },
      (e) => { this.#drop(worker); throw e; });
    return this.#ready;
  }

  #drop(worker) {
    worker.terminate();
    if (this.#worker === worker) this.#worker = null;
  }

  /**
   * Find the best frames of a video file.
   * @param {Blob} file a File or Blob (MP4/MOV; read in slices, never whole)
   * @param {{top?: number, sampleInterval?: number, analysisSize?: number,
   *          format?: 'jpeg'|'webp', quality?: number, signal?: AbortSignal,
   *          onProgress?: (p: {stage: string, fraction: number}) => void}} [options]
   * @returns {Promise<{candidates: Array<object>, report: object}>}
   */
  pick(file, options = {}) {
    if (!(file instanceof Blob)) {
      return Promise.reject(new FramepickError('INVALID_ARGUMENT', 'pick() needs a File or Blob'));
    }
    const { signal, onProgress, ...rest } = options;
    if (rest.decoder === 'video-element') return this.#pickWithVideoElement(file, options);
    return this.#request('pick', { file, options: rest }, { signal, onProgress }).catch((e) => {
      // WebCodecs missing, or a codec/container it cannot take: the browser's own
      // <video> may still play the file. Keep the first error if that fails too.
      const retry = FALLBACK_CODES.has(e.code) && rest.decoder !== 'webcodecs' &&
        typeof document !== 'undefined';
      if (!retry) throw e;
      return this.#pickWithVideoElement(file, options).catch((fallbackError) => {
        throw fallbackError.code === 'ABORTED' ? fallbackError : e;
      });
    });
  }

  /** The slower path: seek a <video>, draw, read back, analyse in the worker. */
  async #pickWithVideoElement(file, { signal, onProgress, ...options }) {
    const t0 = performance.now();
    const { video, close } = await openVideo(file, signal).catch(rethrowTyped);
    const session = this.#nextId++;
    try {
      const view = { width: video.videoWidth, height: video.videoHeight };
      const durationS = video.duration;
      const interval = options.sampleInterval || Math.max(0.5, durationS / (options.maxSamples || 240));
      const scale = Math.min(1, (options.analysisSize || 320) / Math.max(view.width, view.height));
      const aw = Math.max(1, Math.round(view.width * scale));
      const ah = Math.max(1, Math.round(view.height * scale));
      await this.#request('begin', { session, meta: { ...view, durationS, options } }, { signal });
      const ctx = new OffscreenCanvas(aw, ah).getContext('2d', { willReadFrequently: true });
      const times = gridTimes(durationS, interval);
      for (let i = 0; i < times.length; i++) {
        await seek(video, times[i], signal).catch(rethrowTyped);
        ctx.drawImage(video, 0, 0, aw, ah);
        const { data } = ctx.getImageData(0, 0, aw, ah);
        this.#worker?.postMessage({ type: 'frame', session, ptsUs: Math.round(times[i] * 1e6),
          width: aw, height: ah, data: data.buffer }, [data.buffer]);
        onProgress?.({ stage: 'decode', fraction: 0.8 * ((i + 1) / times.length) });
      }
      const decodeMs = performance.now() - t0;
      const out = await this.#request('end', { session }, { signal });
      const t2 = performance.now();
      const candidates = [];
      for (const c of out.candidates) {
        await seek(video, c.ptsUs / 1e6, signal).catch(rethrowTyped);
        const canvas = new OffscreenCanvas(view.width, view.height);
        canvas.getContext('2d').drawImage(video, 0, 0, view.width, view.height);
        const blob = await canvas.convertToBlob({
          type: options.format === 'webp' ? 'image/webp' : 'image/jpeg', quality: options.quality ?? 0.9 });
        candidates.push({ ...c, ...view, blob });
      }
      onProgress?.({ stage: 'encode', fraction: 1 });
      const timings = { ...out.report.timings, decodeMs, encodeMs: performance.now() - t2,
        totalMs: performance.now() - t0 };
      return { candidates, report: { ...out.report, decoder: 'video-element', ...view,
        durationS, sampleInterval: interval, framesDecoded: times.length + candidates.length, timings } };
    } finally {
      close();
      this.#worker?.postMessage({ type: 'drop', session });
    }
  }

  /**
   * Diagnostics: decode the frames shown at `times` (seconds) the way picks are
   * decoded and return their mean colour, with the track's codec and frame counts.
   * With `metrics: true` each frame also gets the quick metrics the CPU path computes
   * (`cpu`) and, where WebGPU runs (`gpu: 'auto' | true`), those of the GPU path
   * (`gpu`) and of the GPU's downscale measured on the CPU (`gpuPixelsOnCpu`).
   * @param {Blob} file
   * @param {number[]} times
   * @param {{metrics?: boolean, gpu?: boolean|'auto', analysisSize?: number, signal?: AbortSignal}} [options]
   */
  inspectFrames(file, times, { signal, ...options } = {}) {
    return this.#request('inspect', { file, times, options }, { signal });
  }

  /**
   * Upload chosen picks (never the video): multipart POST to `url`, or PUT to
   * `presignedUrls`, with retries, progress and abort. See docs/upload.md.
   * @param {Array<{blob: Blob}>} candidates
   * @param {Parameters<typeof uploadCandidates>[1]} options
   */
  upload(candidates, options) {
    return uploadCandidates(candidates, options);
  }

  /** Stop the worker and free its memory; the picker cannot be used afterwards. */
  dispose() {
    this.#disposed = true;
    this.#failAll(new FramepickError('ABORTED', 'the picker was disposed'));
    if (this.#worker) this.#drop(this.#worker);
  }

  async #request(type, payload, options) {
    if (this.#disposed) throw new FramepickError('ABORTED', 'the picker was disposed');
    await this.#start();
    return this.#send(type, payload, options);
  }

  #send(type, payload, { signal, onProgress } = {}) {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new FramepickError('ABORTED', 'the run was cancelled'));
      const onAbort = () => this.#worker?.postMessage({ type: 'abort', id });
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      this.#pending.set(id, {
        resolve: (v) => { done(); resolve(v); },
        reject: (e) => { done(); reject(e); },
        onProgress,
      });
      this.#worker.postMessage({ type, id, ...payload });
    });
  }

  #onMessage({ type, id, result, error, progress }, worker) {
    const p = this.#pending.get(id);
    if (!p) return;
    if (type === 'progress') return p.onProgress?.(progress);
    this.#pending.delete(id);
    if (type === 'result') return p.resolve(result);
    const err = new FramepickError(error.code, error.message);
    p.reject(err);
    // The worker's wasm instance trapped: nothing more can run in it.
    if (error.fatal) {
      this.#drop(worker);
      this.#failAll(err);
    }
  }

  #failAll(err) {
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }
}
