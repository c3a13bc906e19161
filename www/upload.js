// framepick uploader: sends only the chosen picks (one small image + its
// metadata per request) to the app's endpoint, never the video. Plain fetch, so
// it runs on the main thread, in a Worker, and in Node ≥ 20 for tests.
// See docs/upload.md.

/** Errors carry a stable `code`: UPLOAD_FAILED, ABORTED or INVALID_ARGUMENT. */
export class UploadError extends Error {
  /**
   * @param {'UPLOAD_FAILED'|'ABORTED'|'INVALID_ARGUMENT'} code
   * @param {string} message
   * @param {{status?: number, attempts?: number, candidateIndex?: number,
   *          response?: unknown, cause?: unknown}} [details]
   */
  constructor(code, message, { status, attempts, candidateIndex, response, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'UploadError';
    this.code = code;
    /** HTTP status of the last response; undefined after a network error. */
    this.status = status;
    this.attempts = attempts;
    this.candidateIndex = candidateIndex;
    /** Parsed body of the last error response (JSON or text), for showing the server's reason. */
    this.response = response;
    /** Set when the run stops: the picks that did finish, by index (sparse). */
    this.results = undefined;
  }
}

const DEFAULTS = {
  fieldName: 'file',
  concurrency: 2,
  retries: 3,
  baseDelayMs: 300,
  maxDelayMs: 5000,
  idempotencyHeader: 'Idempotency-Key',
};

/**
 * @typedef {object} UploadResult
 * @property {number} index     position of the pick in `candidates`
 * @property {number} status    HTTP status of the successful response
 * @property {number} attempts  requests it took (1 = no retry)
 * @property {unknown} response parsed JSON when the response says it is JSON, else text
 */

/**
 * @typedef {object} UploadProgress
 * @property {number} loaded     bytes of picks finished so far, over all picks
 * @property {number} total      bytes of all picks
 * @property {number} file       index of the pick this event is about
 * @property {number} fileLoaded bytes of that pick sent (0 at start, fileTotal when done)
 * @property {number} fileTotal  bytes of that pick
 * @property {boolean} done      true when that pick has been stored
 */

/**
 * Upload the chosen picks, one request per pick, with retries.
 *
 * @param {Array<{blob: Blob, time?: number, score?: number, scores?: object,
 *                width?: number, height?: number, faces?: Array<object>}>} candidates
 * @param {{url?: string|URL, presignedUrls?: Array<string|URL>, method?: string,
 *          fieldName?: string, headers?: HeadersInit, concurrency?: number,
 *          retries?: number, baseDelayMs?: number, maxDelayMs?: number,
 *          idempotencyHeader?: string|null, credentials?: RequestCredentials,
 *          signal?: AbortSignal, onProgress?: (p: UploadProgress) => void,
 *          fetch?: typeof fetch}} options
 *   `url`: multipart POST endpoint (one pick per request: `metadata` JSON + file part);
 *   `presignedUrls`: one URL per pick, each gets a PUT with the raw image bytes.
 * @returns {Promise<UploadResult[]>} in the order of `candidates`
 * @throws {UploadError} INVALID_ARGUMENT, UPLOAD_FAILED (retries exhausted or a
 *   non-retryable 4xx) or ABORTED (the signal fired)
 */
export async function uploadCandidates(candidates, options = {}) {
  const opts = normalizeOptions(candidates, options);
  if (opts.signal?.aborted) throw abortedError(opts.signal);
  if (candidates.length === 0) return [];

  // One internal controller so that a user abort and a fatal failure of one
  // pick both stop every other pick the same way.
  const controller = new AbortController();
  const unlink = linkSignal(opts.signal, controller);
  const run = { opts, candidates, signal: controller.signal,
    progress: createProgress(candidates, opts.onProgress) };
  try {
    return await runPool(run, controller);
  } finally {
    unlink();
  }
}

/** Upload with at most `concurrency` requests in flight; first failure stops the rest. */
async function runPool(run, controller) {
  const { candidates, opts } = run;
  const results = new Array(candidates.length);
  let next = 0;
  let finished = 0;
  let failure = null;
  const worker = async () => {
    while (!failure && !controller.signal.aborted && next < candidates.length) {
      const index = next++;
      try {
        results[index] = await uploadOne(run, index);
        finished++;
      } catch (err) {
        failure ??= err; // keep the first cause, not the cancellations it triggers
        controller.abort();
      }
    }
  };
  const lanes = Math.min(opts.concurrency, candidates.length);
  await Promise.all(Array.from({ length: lanes }, worker));
  // An abort between two requests stops the lanes without any of them throwing.
  if (!failure && finished < candidates.length) failure = abortedError(opts.signal);
  if (failure) {
    failure.results = results;
    throw failure;
  }
  return results;
}

/** One pick: retry on network errors, 5xx and 429; fail at once on other 4xx. */
async function uploadOne(run, index) {
  const { opts, signal } = run;
  // Stable across this pick's retries so the server can drop duplicates
  // (a retry after a lost response may repeat a request that did succeed).
  const request = buildRequest(run.candidates[index], index, opts, newIdempotencyKey());
  run.progress.start(index);
  for (let attempt = 1; ; attempt++) {
    const outcome = await send(request, opts, signal, index, attempt);
    if (outcome.ok) {
      run.progress.finish(index);
      return { index, status: outcome.status, attempts: attempt, response: outcome.response };
    }
    if (!outcome.retryable || attempt > opts.retries) throw failedError(outcome, index, attempt);
    await sleep(retryDelay(attempt, outcome.retryAfterMs, opts), signal, index, attempt);
  }
}

/** One request. Network errors become a retryable outcome; only aborts throw. */
async function send({ url, init }, opts, signal, index, attempt) {
  try {
    const res = await opts.fetch(url, { ...init, signal });
    const response = await readBody(res);
    return {
      ok: res.ok,
      status: res.status,
      response,
      retryable: res.status >= 500 || res.status === 429,
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
    };
  } catch (error) {
    if (signal.aborted) throw abortedError(signal, index, attempt);
    return { ok: false, retryable: true, error };
  }
}

function buildRequest(candidate, index, opts, key) {
  const headers = new Headers(opts.headers);
  if (opts.idempotencyHeader) headers.set(opts.idempotencyHeader, key);
  const base = { method: opts.method, headers, credentials: opts.credentials };
  if (opts.presignedUrls) {
    // Storage keeps the Content-Type it is given; some signed URLs also sign it,
    // so a caller-provided value wins over the blob's own type.
    if (!headers.has('content-type')) {
      headers.set('content-type', candidate.blob.type || 'application/octet-stream');
    }
    return { url: opts.presignedUrls[index], init: { ...base, body: candidate.blob } };
  }
  // fetch must write the multipart Content-Type itself: it carries the boundary.
  headers.delete('content-type');
  const form = new FormData();
  // Metadata first, so streaming parsers (busboy, multer) have it before the file.
  form.append('metadata', JSON.stringify(pickMetadata(candidate, index)));
  form.append(opts.fieldName, candidate.blob, fileName(candidate, index));
  return { url: opts.url, init: { ...base, body: form } };
}

/** What the server learns about a pick: its numbers, never the blob or the user's file name. */
function pickMetadata({ time, score, scores, width, height, faces }, index) {
  return { index, time, score, scores, width, height, faces };
}

function fileName({ time, blob }, index) {
  const ext = blob.type === 'image/webp' ? 'webp' : blob.type === 'image/png' ? 'png' : 'jpg';
  const at = Number.isFinite(time) ? `-${Number(time.toFixed(3))}s` : '';
  return `pick-${index}${at}.${ext}`;
}

/** JSON when the server says so (application/json, …+json), else text. */
async function readBody(res) {
  const text = await res.text();
  if (!/\bjson\b/i.test(res.headers.get('content-type') || '')) return text;
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text; // a stored pick must not fail because the reply was malformed
  }
}

/** Retry-After in ms from delta-seconds or an HTTP date; undefined when absent or unreadable. */
function parseRetryAfter(value) {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** The server's hint when given (capped); else exponential backoff with full jitter. */
function retryDelay(attempt, retryAfterMs, { baseDelayMs, maxDelayMs }) {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, maxDelayMs);
  // Full jitter spreads retries of many clients hitting the same outage.
  return Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
}

/** setTimeout that ends at once, rejecting, when the signal fires. */
function sleep(ms, signal, index, attempt) {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortedError(signal, index, attempt));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedError(signal, index, attempt));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Loaded/total over all picks. fetch reports no upload progress, so each pick
 *  counts at completion (0 → size); loaded only ever grows. */
function createProgress(candidates, onProgress) {
  const sizes = candidates.map((c) => c.blob.size);
  const total = sizes.reduce((a, b) => a + b, 0);
  let loaded = 0;
  const emit = (file, fileLoaded, done) => {
    if (!onProgress) return;
    try {
      onProgress({ loaded, total, file, fileLoaded, fileTotal: sizes[file], done });
    } catch (err) {
      // A broken progress callback must not fail picks the server already stored.
      (globalThis.reportError || console.error)(err);
    }
  };
  return {
    start: (i) => emit(i, 0, false),
    finish: (i) => {
      loaded += sizes[i];
      emit(i, sizes[i], true);
    },
  };
}

/** Forward a user abort to the internal controller; returns the cleanup. */
function linkSignal(signal, controller) {
  if (!signal) return () => {};
  const onAbort = () => controller.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

/** randomUUID needs a secure context; getRandomValues does not. */
function newIdempotencyKey() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function normalizeOptions(candidates, options) {
  const { url, presignedUrls } = options;
  if (!Array.isArray(candidates)) invalid('candidates must be an array');
  if (!url === !presignedUrls) invalid('give either options.url or options.presignedUrls');
  if (presignedUrls && (!Array.isArray(presignedUrls) || presignedUrls.length !== candidates.length)) {
    invalid(`presignedUrls must hold one URL per candidate (${candidates.length})`);
  }
  const missing = candidates.findIndex((c) => !(c?.blob instanceof Blob));
  if (missing !== -1) invalid(`candidate ${missing} has no image blob`, missing);
  const o = { ...DEFAULTS, ...withoutUndefined(options) };
  return {
    ...o,
    method: String(o.method || (presignedUrls ? 'PUT' : 'POST')).toUpperCase(),
    concurrency: Math.max(1, Math.floor(o.concurrency) || 1),
    retries: Math.max(0, Math.floor(o.retries) || 0),
    fetch: o.fetch || globalThis.fetch.bind(globalThis),
  };
}

function withoutUndefined(obj) {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}

function invalid(message, candidateIndex) {
  throw new UploadError('INVALID_ARGUMENT', message, { candidateIndex });
}

function abortedError(signal, candidateIndex, attempts) {
  return new UploadError('ABORTED', 'the upload was cancelled',
    { candidateIndex, attempts, cause: signal?.reason });
}

function failedError({ status, response, error }, candidateIndex, attempts) {
  const why = status ? `the server answered ${status}` : `network error (${error?.message || error})`;
  return new UploadError('UPLOAD_FAILED', `pick ${candidateIndex} was not uploaded: ${why}`,
    { status, attempts, candidateIndex, response, cause: error });
}
