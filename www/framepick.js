// framepick: the main-thread API. Everything heavy runs in a dedicated Worker
// (worker.js), so the page never blocks. See README.md for an example.
import { uploadCandidates, UploadError } from './upload.js';
import { openVideo, seek, gridTimes } from './fallback.js';
import { cropBlobs, withCropBlobs } from './encode-crops.js';

export { UploadError };

/** Errors carry a stable `code` (UNSUPPORTED_CONTAINER, UNSUPPORTED_CODEC, CORRUPT_MEDIA,
 *  NO_VIDEO_TRACK, NO_FRAMES, MODEL_LOAD_FAILED, ABORTED, WORKER_CRASHED, WORKER_UNRESPONSIVE, …). */
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

/** How long a busy worker may stay silent before it is taken for hung (ms). */
const DEFAULT_STALL_TIMEOUT_MS = 30_000;
/** How long a cancelled run may take to stop before its worker is terminated (ms). */
const ABORT_GRACE_MS = 2_000;

export class FramePicker {
  #worker = null; // null after a crash: the next request starts a fresh one
  #ready = null; // the current worker's `init`
  #url;
  #options;
  #disposed = false;
  #nextId = 1;
  #pending = new Map();
  #lastHeard = 0; // when the current worker last posted anything
  #watchdog = null;
  #stallTimeoutMs = DEFAULT_STALL_TIMEOUT_MS;

  /** @private use FramePicker.create */
  constructor(url, options) {
    this.#url = url;
    this.#options = options;
  }

  /**
   * Start the worker, load the wasm build (threaded where the page is
   * crossOriginIsolated) and the face model.
   * @param {{threads?: number, faceModelUrl?: string, faceInputSize?: number,
   *          requireModels?: boolean, warmUp?: boolean, workerUrl?: string|URL, stallTimeoutMs?: number}} [options]
   */
  static async create(options = {}) {
    const { workerUrl, stallTimeoutMs, ...rest } = options;
    const picker = new FramePicker(workerUrl || new URL('./worker.js', import.meta.url), rest);
    picker.#stallTimeoutMs = stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
    await picker.#start();
    return picker;
  }

  /** A worker with `init` done: the current one, or a new one after a crash. */
  #start() {
    if (this.#worker) return this.#ready;
    const worker = new Worker(this.#url, { type: 'module', name: 'framepick' });
    worker.onmessage = ({ data }) => {
      if (worker === this.#worker) this.#lastHeard = performance.now();
      this.#onMessage(data, worker);
    };
    this.#lastHeard = performance.now();
    // An uncaught error (or a failed load) leaves the worker in an unknown state: drop
    // it, fail what it was doing, and let the next request start a new one.
    worker.onerror = (e) => this.#replaceWorker(worker, new FramepickError('WORKER_CRASHED',
      `the framepick worker stopped: ${e.message || 'unknown error'}`));
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
   *          format?: 'jpeg'|'webp', quality?: number, maxWidth?: number,
   *          crops?: string[], signal?: AbortSignal,
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
        // Picks at most maxWidth wide (the candidate keeps the picture's own size, in
        // which its face boxes are given).
        const scale = options.maxWidth > 0 ? Math.min(1, options.maxWidth / view.width) : 1;
        const [w, h] = [Math.max(1, Math.round(view.width * scale)), Math.max(1, Math.round(view.height * scale))];
        const canvas = new OffscreenCanvas(w, h);
        canvas.getContext('2d').drawImage(video, 0, 0, w, h);
        const type = options.format === 'webp' ? 'image/webp' : 'image/jpeg';
        const quality = options.quality ?? 0.9;
        // The asked crops, cut from the same full-size picture (www/encode-crops.js).
        const cropImages = cropBlobs((ctx, cw, ch) => ctx.drawImage(video, 0, 0, cw, ch), view, c.crops || [],
          { type, quality, maxWidth: options.maxWidth });
        const blob = await canvas.convertToBlob({ type, quality });
        candidates.push({ ...c, ...view, blob, crops: withCropBlobs(c.crops, await cropImages) });
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
    const worker = this.#worker;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new FramepickError('ABORTED', 'the run was cancelled'));
      let grace = null;
      // Seen by the worker even inside a synchronous call (needs shared memory).
      const cancel = globalThis.crossOriginIsolated ? new Int32Array(new SharedArrayBuffer(4)) : undefined;
      // The worker stops a cancelled run at its next check; one stuck in a long
      // synchronous call cannot, so after a grace period it is terminated instead.
      const onAbort = () => {
        if (cancel) Atomics.store(cancel, 0, 1);
        worker.postMessage({ type: 'abort', id });
        grace = setTimeout(() => {
          if (!this.#pending.has(id)) return;
          this.#replaceWorker(worker, new FramepickError('ABORTED',
            'the run was cancelled (its worker did not stop in time and was terminated)'));
        }, ABORT_GRACE_MS);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => {
        clearTimeout(grace);
        signal?.removeEventListener('abort', onAbort);
      };
      this.#pending.set(id, {
        resolve: (v) => { done(); resolve(v); },
        reject: (e) => { done(); reject(e); },
        onProgress,
        worker,
      });
      this.#watch();
      worker.postMessage({ type, id, cancel, ...payload });
    });
  }

  /**
   * While requests are pending, a worker that posts nothing (no progress, no heartbeat:
   * its event loop is blocked) for `stallTimeoutMs` is hung, e.g. waiting for a rayon
   * pool thread that trapped. It is terminated and its requests fail with
   * WORKER_UNRESPONSIVE; the next request starts a fresh worker.
   */
  #watch() {
    if (this.#watchdog || !(this.#stallTimeoutMs > 0)) return;
    const every = Math.min(1000, this.#stallTimeoutMs / 4);
    let lastTick = performance.now();
    this.#watchdog = setInterval(() => {
      if (this.#pending.size === 0 || !this.#worker) {
        clearInterval(this.#watchdog);
        this.#watchdog = null;
        return;
      }
      const now = performance.now();
      // A tick this late means the page itself was suspended (a sleeping laptop, a
      // frozen tab): the worker's silence meanwhile says nothing about it.
      if (now - lastTick > 2 * every + 1000) this.#lastHeard = now;
      lastTick = now;
      const silentMs = now - this.#lastHeard;
      if (silentMs > this.#stallTimeoutMs) {
        this.#replaceWorker(this.#worker, new FramepickError('WORKER_UNRESPONSIVE',
          `the framepick worker sent nothing for ${Math.round(silentMs / 1000)} s (over stallTimeoutMs, ` +
          `${this.#stallTimeoutMs} ms): it was terminated, and the next request starts a fresh one`));
      }
    }, every);
  }

  /** Terminate `worker`, failing what it was doing with `err`. */
  #replaceWorker(worker, err) {
    this.#drop(worker);
    this.#failAll(err, worker);
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
    if (error.fatal) this.#replaceWorker(worker, err);
  }

  /** Reject the pending requests (of `worker` only, when given). */
  #failAll(err, worker) {
    for (const [id, p] of this.#pending) {
      if (worker && p.worker !== worker) continue;
      this.#pending.delete(id);
      p.reject(err);
    }
  }
}
