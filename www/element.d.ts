// Type declarations for <frame-picker> (www/element.js). See docs/api.md.
import type {
  Candidate, FramePicker, FramePickerOptions, PickOptions, PickResult, Report, UploadOptions,
  UploadResult, FramepickErrorCode, UploadErrorCode,
} from './framepick.js';

export interface FramePickerProgressDetail {
  /** 'loading' is not sent; pick stages ('demux', 'decode', 'analyse', 'encode') and 'upload'. */
  stage: string;
  fraction: number;
}

export interface FramePickerErrorDetail {
  code: FramepickErrorCode | UploadErrorCode;
  message: string;
}

export interface FramePickerElementEventMap {
  pick: CustomEvent<PickResult>;
  progress: CustomEvent<FramePickerProgressDetail>;
  upload: CustomEvent<UploadResult[]>;
  error: CustomEvent<FramePickerErrorDetail>;
}

export class FramePickerElement extends HTMLElement {
  static observedAttributes: string[];
  /** Attribute `top`: how many picks (default 8). */
  top: number;
  /** Attribute `niche`, passed to pick(). */
  niche: string | undefined;
  /** Attribute `upload-url`: multipart POST endpoint of the Upload button. */
  uploadUrl: string | undefined;
  /** Attribute `threads`. */
  threads: number | undefined;
  /** Attribute `worker-url`: where worker.js is served when a bundler moved framepick.js. */
  workerUrl: string | undefined;
  /** Extra options for FramePicker.create. */
  pickerOptions: FramePickerOptions;
  /** Extra options for pick() (signal and onProgress are the element's). */
  pickOptions: Omit<PickOptions, 'signal' | 'onProgress'>;
  /** Extra options for upload() (e.g. headers, presignedUrls); `url` defaults to `upload-url`. */
  uploadOptions: Partial<UploadOptions>;
  readonly candidates: Candidate[];
  readonly report: Report | null;
  /** Picks whose checkbox is ticked. */
  readonly selected: Candidate[];
  readonly busy: 'pick' | 'upload' | null;
  /** The FramePicker in use, created on first need and disposed when the element is removed. */
  getPicker(): Promise<FramePicker>;
  /** Analyse a video and show its picks. */
  pickFile(file: Blob): Promise<PickResult>;
  /** Upload the selected picks (or those given). */
  upload(candidates?: Candidate[]): Promise<UploadResult[]>;
  /** Abort the running analysis or upload. */
  cancel(): void;
  /** Show candidates in the grid (rendered as text, never markup). */
  showCandidates(candidates: Candidate[], report?: Report | null): void;

  addEventListener<K extends keyof FramePickerElementEventMap>(type: K,
    listener: (this: FramePickerElement, ev: FramePickerElementEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof FramePickerElementEventMap>(type: K,
    listener: (this: FramePickerElement, ev: FramePickerElementEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject,
    options?: boolean | EventListenerOptions): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'frame-picker': FramePickerElement;
  }
}
