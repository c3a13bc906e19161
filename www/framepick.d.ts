// Type declarations for framepick's public API (www/framepick.js, www/upload.js).
// The runtime is plain ESM JavaScript; these types describe it. See docs/api.md.

/** Stable error codes of {@link FramepickError}. */
export type FramepickErrorCode =
  | 'UNSUPPORTED_CONTAINER'
  | 'UNSUPPORTED_CODEC'
  | 'CORRUPT_MEDIA'
  | 'NO_VIDEO_TRACK'
  | 'NO_FRAMES'
  | 'MODEL_LOAD_FAILED'
  | 'ABORTED'
  | 'WORKER_CRASHED'
  | 'WORKER_UNRESPONSIVE'
  | 'INVALID_ARGUMENT'
  | 'INPUT_TOO_LARGE'
  | 'RESOLUTION_TOO_LARGE'
  | 'TOO_MANY_FRAMES'
  | 'OUT_OF_MEMORY'
  | 'INTERNAL';

/** Stable error codes of {@link UploadError}. */
export type UploadErrorCode = 'UPLOAD_FAILED' | 'ABORTED' | 'INVALID_ARGUMENT';

/** Every failure of create() and pick() rejects with one of these. */
export class FramepickError extends Error {
  constructor(code: FramepickErrorCode, message: string);
  readonly name: 'FramepickError';
  readonly code: FramepickErrorCode;
}

/** upload() rejects with one of these. */
export class UploadError extends Error {
  constructor(code: UploadErrorCode, message: string, details?: {
    status?: number; attempts?: number; candidateIndex?: number; response?: unknown; cause?: unknown;
  });
  readonly name: 'UploadError';
  readonly code: UploadErrorCode;
  /** HTTP status of the last response; undefined after a network error. */
  readonly status?: number;
  /** Requests made for the pick that failed. */
  readonly attempts?: number;
  /** Index (in the array given to upload()) of the pick that failed. */
  readonly candidateIndex?: number;
  /** Parsed body (JSON or text) of the last error response. */
  readonly response?: unknown;
  /** The picks that did finish before the run stopped, by index (sparse). */
  results?: Array<UploadResult | undefined>;
}

/** Options of {@link FramePicker.create}. */
export interface FramePickerOptions {
  /** Worker threads for the wasm rayon pool (threaded build only). Default: `navigator.hardwareConcurrency`. `1` forces the single-thread build. */
  threads?: number;
  /**
   * Use the builds with WebAssembly relaxed SIMD (fused multiply-adds) where the browser has
   * it. `false` loads the baseline build (single-threaded, plain SIMD), whose arithmetic is the
   * same on every machine; relaxed SIMD may fuse or not depending on the CPU. Default: true.
   */
  relaxedSimd?: boolean;
  /** URL of the RetinaFace ONNX model. Default: `pkg/models/retinaface-mnet025.onnx` next to worker.js. */
  faceModelUrl?: string;
  /** Long side, in pixels, of the face detector's input. */
  faceInputSize?: number;
  /** Reject with MODEL_LOAD_FAILED when a model cannot be loaded, instead of picking without it. */
  requireModels?: boolean;
  /**
   * Run the models once on a blank frame right after start-up, so the first pick finds the
   * detector plan built and the hot wasm compiled (about 0.4 s of a 2-minute pick). Default: true.
   */
  warmUp?: boolean;
  /** Where framepick's worker.js is served. Default: `new URL('./worker.js', import.meta.url)`. */
  workerUrl?: string | URL;
  /** Default of {@link PickOptions.gpu}. */
  gpu?: GpuMode;
  /**
   * A busy worker that posts nothing (no progress, no heartbeat: it is stuck in a
   * synchronous call, e.g. waiting on a thread that died) for this long is terminated and
   * its run rejects with WORKER_UNRESPONSIVE; the next call starts a fresh worker.
   * Default 30 000 ms; `0` turns the watchdog off.
   */
  stallTimeoutMs?: number;
  /** Forwarded to the worker; options that a later version adds. */
  [option: string]: unknown;
}

/**
 * The WebGPU quick filter: `'auto'` (default) uses a hardware WebGPU adapter when the
 * browser has one and the CPU path otherwise (a software fallback adapter is slower
 * than the CPU path); `true` uses any adapter, software ones included; `false` never.
 */
export type GpuMode = 'auto' | boolean;

/** `report.audio`: loudness from the AAC track, decoded only around the coarse samples. */
export interface AudioReport {
  used: boolean;
  /** e.g. `mp4a.40.2`. */
  codec?: string;
  sampleRate?: number;
  channels?: number;
  /** Runs of audio frames decoded, and decoded blocks. */
  runs?: number;
  blocksDecoded?: number;
  /** Why no sound was measured (no audio track, not AAC, WebM, `audio: false` …). */
  reason?: string;
}

/** What ran the quick filter: `report.gpu`. */
export interface GpuReport {
  /** Whether any frame was measured on the GPU. */
  used: boolean;
  /** Adapter vendor/architecture, where one was found. */
  adapter?: string;
  /** A software adapter (e.g. SwiftShader). */
  fallbackAdapter?: boolean;
  /** Why the GPU was not used. */
  reason?: string;
  framesOnGpu: number;
  framesOnCpu: number;
  /** Frames whose analysis-size pixels came back from the GPU (kept for deep analysis). */
  pixelsReadBack: number;
}

/** What the worker loaded: `picker.info`. */
export interface PickerInfo {
  /** Which wasm build runs: threads needs a cross-origin isolated page and WebAssembly relaxed SIMD (not Safari). */
  flavour: 'threads' | 'single';
  /**
   * The build loaded from `pkg/`: `threads` and `single` use relaxed SIMD; `baseline`
   * (single-threaded) is for browsers without it (Safari) and for `relaxedSimd: false`.
   */
  build: 'threads' | 'single' | 'baseline';
  threads: number;
  crossOriginIsolated: boolean;
  /** Why the threaded build was not used on an isolated page (a CSP without `worker-src blob:`, no relaxed SIMD), else null. */
  threadsError?: string | null;
  /** Whether the face model loaded. Without it picks use the quick metrics only. */
  faceModel: boolean;
  modelError: { code: string; message: string } | null;
  [key: string]: unknown;
}

/** Progress of a pick: `fraction` (0–1 over the whole run) never goes down. */
export interface PickProgress {
  stage: PickStage;
  fraction: number;
}

export type PickStage = 'demux' | 'decode' | 'analyse' | 'encode' | (string & {});

/** Options of {@link FramePicker.pick}. */
export interface PickOptions {
  /** How many picks to return (best first). Default 10. */
  top?: number;
  /** A content niche that tunes the ranking (e.g. `'talking-head'`), where supported. */
  niche?: string;
  /** Relative weights of the score components, where supported. */
  weights?: Partial<Record<keyof CandidateScores, number>>;
  /** Seconds between sampled frames. Default: duration / 240, at least 0.5 s. */
  sampleInterval?: number;
  /** Most frames sampled when `sampleInterval` is not given. Default 240. */
  maxSamples?: number;
  /**
   * Decode budget: units a minute of 1080p video (a delta frame 1, a keyframe 4; a
   * quarter of the rate after the first two minutes; at least 400; more for smaller
   * frames). Long GOPs are then sampled early in each GOP rather than decoded whole. Default 200;
   * `Infinity` decodes every planned sample, whatever it costs. `report.decodePlan`
   * gives each pass's cost.
   */
  decodeBudget?: number;
  /** Seconds a dense-pass frame may sit from the time asked for, if it decodes cheaper. Default 0.5. */
  denseTolerance?: number;
  /**
   * Most bytes of full-size frame copies kept while decoding, so picks need no second
   * decode (the frames the analysis ranks lowest are let go first); only frames that cost
   * 12 decode units or more to decode again. Default 64 MiB; 0 off.
   */
  holdBytes?: number;
  /**
   * Measure frames (and encode the picks) from `VideoFrame.copyTo` instead of drawing
   * them on a canvas: the page's renderer peaks ~480 MiB lower on a 2-minute 1080p pick
   * (Chromium keeps a full-size RGBA conversion of each frame drawn). Where the browser
   * converts in copyTo (RGBA) it is no slower; elsewhere I420/NV12 is converted in wasm.
   * The same metrics within measurement noise. Default true; false: the canvas path.
   */
  lowMemory?: boolean;
  /** Long side, in pixels, of the analysis images. Default 320. */
  analysisSize?: number;
  /** Frames kept for deep analysis (faces …). Default 24. */
  deepK?: number;
  /** Minimum seconds between two picks. */
  minGap?: number;
  /** Image format of `candidate.blob`. Default `'jpeg'`. */
  format?: 'jpeg' | 'webp';
  /** Encoder quality 0–1. Default 0.9. */
  quality?: number;
  /**
   * Largest width of the encoded picks in pixels; a wider picture is scaled down with
   * its aspect kept. The candidate's `width`/`height` and face boxes stay in the
   * picture's own size. Default: full size.
   */
  maxWidth?: number;
  /**
   * Crop shapes whose images you want, `'W:H'` (`['16:9', '1:1', '4:5', '9:16']`, or any
   * ratio such as `'3:2'` or `'1.91:1'`; at most 12, none flatter than 20:1). Each
   * candidate's `crops` entry of that shape gets `asked: true` and a `blob`: the crop
   * cut from the same full-size frame as `candidate.blob`, in `format`/`quality`, at the
   * crop's own size (with `maxWidth`: the largest whole multiple of the ratio at most
   * that wide). Shapes not among the four defaults are added to every candidate's
   * `crops`. A bad ratio rejects with `INVALID_ARGUMENT`. Default: no crop images (the
   * four default crop rectangles are there anyway).
   */
  crops?: string[];
  /**
   * Frame source. Default: WebCodecs, falling back to a `<video>` element when
   * WebCodecs, the codec or the container is missing. `'webcodecs'` never falls back;
   * `'video-element'` always uses the fallback (slower, main thread).
   */
  decoder?: 'webcodecs' | 'video-element';
  /** WebGPU for the quick filter; default: the picker's `gpu` option, else `'auto'`. */
  gpu?: GpuMode;
  /** Loudness of an MP4's AAC track around the coarse samples feeds the segments. Default true. */
  audio?: boolean;
  /** Largest file accepted, bytes; over it: INPUT_TOO_LARGE. Default 2^34 (16 GiB). */
  maxFileBytes?: number;
  /** Largest coded frame accepted, width × height; over it: RESOLUTION_TOO_LARGE. Default 8192 × 8192 (8K UHD passes). */
  maxPixels?: number;
  /** Most samples (frames) in the track; over it: TOO_MANY_FRAMES. Default 2 000 000. */
  maxFrames?: number;
  /** Most bytes of analysis frames held in wasm at once (the kept frames and a batch); a frame that would pass it fails the run with OUT_OF_MEMORY while wasm memory still has room. Default 384 MiB. */
  maxAnalysisBytes?: number;
  /** Cancels the run: the promise rejects with code ABORTED. */
  signal?: AbortSignal;
  onProgress?: (progress: PickProgress) => void;
  [option: string]: unknown;
}

/** One decoded frame as reported by `FramePicker.inspectFrames`. */
export interface InspectedFrame {
  /** Presentation time of the sample nearest the time asked for, seconds. */
  time: number;
  keyframe: boolean;
  /** Mean colour of the frame, or null when it could not be decoded. */
  rgb: [number, number, number] | null;
  /** With `metrics`: quick metrics of the CPU path, the GPU path, and the GPU's downscale on the CPU. */
  cpu?: QualityMetrics;
  gpu?: QualityMetrics;
  gpuPixelsOnCpu?: QualityMetrics;
}

/** A face box in the candidate's image pixels (`candidate.width` × `candidate.height`). */
export interface Face {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Detector confidence 0–1. */
  score: number;
  /** Five points: left eye, right eye, nose, left and right mouth corner, `[x, y]` in image pixels. */
  landmarks: Array<[number, number]>;
  /** Facial expression, when the emotion model ran. */
  emotion?: FaceEmotion;
}

export type EmotionLabel = 'angry' | 'disgust' | 'fear' | 'happy' | 'sad' | 'surprise' | 'neutral';

export interface FaceEmotion {
  label: EmotionLabel | (string & {});
  /** Per class, in the order angry, disgust, fear, happy, sad, surprise, neutral (or keyed by label). */
  probabilities: number[] | Record<string, number>;
  confidence?: number;
  [key: string]: unknown;
}

/** Score components, each 0–1 (higher is better). Optional ones appear when their stage ran. */
export interface CandidateScores {
  quality: number;
  faces: number;
  emotion?: number;
  composition?: number;
  editability?: number;
  aesthetics?: number;
  [component: string]: number | undefined;
}

/** Quick image metrics of the frame, each 0–1. */
export interface QualityMetrics {
  brightness: number;
  contrast: number;
  sharpness: number;
  uniformity: number;
  /** Noise σ, 0–255 luma scale (≥ 6: rejected as grainy). */
  noise: number;
  /** 64-bit perceptual hash, 16 hex digits. */
  phash: string;
  /** The quick filter's verdict (`inspectFrames` with `metrics`). */
  rejection?: 'tooDark' | 'blownOut' | 'blurry' | 'uniform' | 'noisy' | null;
  [metric: string]: number | string | null | undefined;
}

/** A rectangle normalized to 0–1 of the image (x, y: top-left). */
export interface NormalizedRect {
  x: number;
  y: number;
  width: number;
  height: number;
  score?: number;
}

/**
 * The best framing of a candidate in one shape: a rectangle of exactly the ratio, as
 * large as the frame allows, placed to keep faces whole (the main face first, none cut
 * when any placement allows, as many kept as can be), the eyes near the upper third,
 * the detail and the room for a title.
 */
export interface CandidateCrop {
  /** The shape in lowest terms: `'16:9'`, `'1:1'`, `'4:5'`, `'9:16'`, or one asked (`'191:100'` for `'1.91:1'`). */
  ratio: string;
  /** The rectangle in the candidate's pixels (`width` × `height`, upright); `width / height` is exactly the ratio. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** 0–1: how well the framing looks; halved when it cuts the main face, 0 with `upscale`. */
  score: number;
  /** A few words, e.g. `'keeps all 2 faces, eyes on the upper third'`, `'cuts 1 face: the main face is larger than the 9:16 crop'`. */
  reason: string;
  /** Faces wholly inside, and faces the crop cuts through. */
  facesKept: number;
  facesCut: number;
  cutsFaces: boolean;
  /** Every face whole inside (true without faces): the shape costs nothing. */
  fits: boolean;
  /** The frame is smaller than the smallest whole-pixel picture of the shape (e.g. 16×9 px): width and height are 0. */
  upscale: boolean;
  /** The shape was asked for with the `crops` option. */
  asked: boolean;
  /** The cropped image, for asked shapes (none with `upscale`). */
  blob?: Blob;
}

/** One picked frame. */
export interface Candidate {
  /** Presentation time, seconds from the start. */
  time: number;
  /** Presentation time, microseconds (the frame's timestamp). */
  ptsUs: number;
  /** Overall score 0–1; candidates come best first. */
  score: number;
  scores: CandidateScores;
  quality: QualityMetrics;
  faces: Face[];
  /** Image size in pixels (the video's display size). */
  width: number;
  height: number;
  /** The frame, full size, `image/jpeg` (or `image/webp`). */
  blob: Blob;
  /** Where text or graphics can go without covering what matters, when computed. */
  editableRegion?: NormalizedRect;
  /** Short human-readable reasons for the score, when computed. */
  why?: string[];
  /** Crops for 16:9, 1:1, 4:5 and 9:16, in that order, then any other shape asked with `crops`. */
  crops: CandidateCrop[];
  [key: string]: unknown;
}

export interface PickTimings {
  demuxMs?: number;
  decodeMs?: number;
  deepMs?: number;
  encodeMs?: number;
  totalMs?: number;
  [stage: string]: number | undefined;
}

/** How a pick went. */
export interface Report {
  decoder: 'webcodecs' | 'video-element' | (string & {});
  /** What ran the quick filter (WebCodecs runs only; the `<video>` fallback is CPU). */
  gpu?: GpuReport;
  /** The sound measured for the segments, or why none was (WebCodecs runs only). */
  audio?: AudioReport;
  /** Coarse samples whose loudness was measured. */
  audioWindows?: number;
  wasm: 'threads' | 'single';
  /** The build that ran: see {@link PickerInfo.build}. */
  wasmBuild: 'threads' | 'single' | 'baseline';
  threads: number;
  codec: string;
  width: number;
  height: number;
  durationS: number;
  frameRate: number;
  samples: number;
  sampleInterval: number;
  analysisSize: [number, number];
  framesDecoded: number;
  framesDecodedPass1: number;
  /** H.264 pictures nothing refers to, left out on the way to a wanted frame (not decoded). */
  framesSkipped: number;
  /** What each decode pass was planned to cost, known before it ran (`decodeBudget`). */
  decodePlan?: DecodePlanReport;
  /** Full-size copies kept while decoding (`holdBytes`); null when off. */
  hold?: { maxBytes: number; peakBytes: number; held: number; released: number; picksFromHold: number } | null;
  framesSampled: number;
  framesRejected: number;
  framesDeep: number;
  facesFound: number;
  rangeReads: number;
  modelLoadMs: number;
  /** How long the worker ran the models on a blank frame after start-up ({@link FramePickerOptions.warmUp}); null when it did not (yet). */
  warmUpMs: number | null;
  timings: PickTimings;
  /** Every frame held for deep analysis, in time order, with its verdict: why a frame you expected is not picked. */
  pool?: PooledFrame[];
  /** Things that degraded the result without failing it (e.g. no face model). */
  warnings: string[];
  [key: string]: unknown;
}

/** A frame held for deep analysis (`report.pool`). */
export interface PooledFrame {
  /** Seconds. */
  time: number;
  /** The quick filter's verdict, else the comparison with frames of the same picture; null: usable. */
  rejection: 'tooDark' | 'blownOut' | 'blurry' | 'uniform' | 'noisy' | null;
  /** Sent to deep analysis (each covered shot's best first, then the best of the rest). */
  deep: boolean;
}

/** The price of one decode pass: targets, samples fed (an upper bound on frames decoded), keyframes among them, units. */
export interface PlanCost {
  targets: number;
  frames: number;
  keyframes: number;
  units: number;
}

export interface DecodePlanReport {
  /** Units the pick may spend (null: no budget, `decodeBudget: Infinity`). */
  budget: number | null;
  unitsPerMinute: number | null;
  coarse: PlanCost;
  dense: PlanCost;
  /** The full-size re-decode of the picks. */
  encode: PlanCost | null;
}

export interface PickResult {
  candidates: Candidate[];
  report: Report;
}

/** Upload progress: bytes of picks over all picks, and the pick this event is about. */
export interface UploadProgress {
  loaded: number;
  total: number;
  file: number;
  fileLoaded: number;
  fileTotal: number;
  done: boolean;
}

/** One stored pick. */
export interface UploadResult {
  /** Position of the pick in the array given to upload(). */
  index: number;
  /** HTTP status of the successful response. */
  status: number;
  /** Requests it took (1 = no retry). */
  attempts: number;
  /** Parsed JSON when the response says it is JSON, else text. */
  response: unknown;
}

interface UploadOptionsBase {
  /** HTTP method. Default POST with `url`, PUT with `presignedUrls`. */
  method?: 'POST' | 'PUT' | (string & {});
  /** Name of the multipart file part. Default `'file'`. */
  fieldName?: string;
  /** Extra headers on every request. */
  headers?: HeadersInit;
  /** Most requests in flight. Default 2. */
  concurrency?: number;
  /** Retries per pick after the first attempt. Default 3. */
  retries?: number;
  /** First backoff ceiling, ms. Default 300. */
  baseDelayMs?: number;
  /** Cap on any wait, Retry-After included, ms. Default 5000. */
  maxDelayMs?: number;
  /** Header carrying the per-pick idempotency key; `null` sends none. Default `'Idempotency-Key'`. */
  idempotencyHeader?: string | null;
  credentials?: RequestCredentials;
  signal?: AbortSignal;
  onProgress?: (progress: UploadProgress) => void;
  /** A fetch wrapper (e.g. one that refreshes tokens). */
  fetch?: typeof fetch;
}

/** Options of {@link FramePicker.upload}: give `url` (multipart POST) or `presignedUrls` (PUT), not both. */
export type UploadOptions =
  | (UploadOptionsBase & { url: string | URL; presignedUrls?: undefined })
  | (UploadOptionsBase & { presignedUrls: Array<string | URL>; url?: undefined });

/** What upload() needs of a candidate: the image, and the numbers sent as metadata. */
export type UploadableCandidate = Pick<Candidate, 'blob'> & Partial<Omit<Candidate, 'blob'>>;

export class FramePicker {
  private constructor();
  /** Start the worker, load the wasm build (threaded when the page is cross-origin isolated) and the face model. */
  static create(options?: FramePickerOptions): Promise<FramePicker>;
  /** What the worker loaded. */
  info: PickerInfo;
  /** Find the best frames of a video (MP4/MOV), read in slices, never whole. */
  pick(file: Blob, options?: PickOptions): Promise<PickResult>;
  /** Upload chosen picks (never the video), with retries, progress and abort. Results in the order given. */
  upload(candidates: UploadableCandidate[], options: UploadOptions): Promise<UploadResult[]>;
  /** Diagnostics: decode the frames shown at `times` (seconds) as picks are decoded. */
  inspectFrames(file: Blob, times: number[], options?: {
    signal?: AbortSignal; metrics?: boolean; gpu?: GpuMode; analysisSize?: number;
  }): Promise<{
    frames: InspectedFrame[]; framesDecoded: number; framesSkipped: number; codec: string; frameRate: number;
    samples: number; keyframes: number; analysisSize: [number, number];
    gpu: (Omit<GpuReport, 'framesOnGpu' | 'framesOnCpu' | 'pixelsReadBack'>) | null;
  }>;
  /** Stop the worker and free its memory; pending and later runs reject with ABORTED. */
  dispose(): void;
}

