// framepick: the main-thread API. Everything heavy runs in a dedicated Worker
// (worker.js), so the page never blocks. See README.md for an example.
import { uploadCandidates, UploadError } from './upload.js';

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

export class FramePicker {
  #worker;
  #nextId = 1;
  #pending = new Map();

  /** @private use FramePicker.create */
  constructor(worker) {
    this.#worker = worker;
    worker.onmessage = ({ data }) => this.#onMessage(data);
    worker.onerror = (e) => this.#failAll(new FramepickError('WORKER_CRASHED',
      `the framepick worker stopped: ${e.message || 'unknown error'}`));
  }

  /**
   * Start the worker, load the wasm build (threaded where the page is
   * crossOriginIsolated) and the face model.
   * @param {{threads?: number, faceModelUrl?: string, faceInputSize?: number,
   *          requireModels?: boolean, workerUrl?: string|URL}} [options]
   */
  static async create(options = {}) {
    const url = options.workerUrl || new URL('./worker.js', import.meta.url);
    const picker = new FramePicker(new Worker(url, { type: 'module', name: 'framepick' }));
    const { workerUrl, ...rest } = options;
    picker.info = await picker.#request('init', { options: rest });
    return picker;
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
    return this.#request('pick', { file, options: rest }, { signal, onProgress });
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

  /** Stop the worker and free its memory. */
  dispose() {
    this.#failAll(new FramepickError('ABORTED', 'the picker was disposed'));
    this.#worker.terminate();
  }

  #request(type, payload, { signal, onProgress } = {}) {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new FramepickError('ABORTED', 'the run was cancelled'));
      const onAbort = () => this.#worker.postMessage({ type: 'abort', id });
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

  #onMessage({ type, id, result, error, progress }) {
    const p = this.#pending.get(id);
    if (!p) return;
    if (type === 'progress') return p.onProgress?.(progress);
    this.#pending.delete(id);
    if (type === 'result') p.resolve(result);
    else p.reject(new FramepickError(error.code, error.message));
  }

  #failAll(err) {
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }
}
