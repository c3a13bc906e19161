// <frame-picker>: a drop-in UI over FramePicker. Drop a video (or choose one), watch
// the progress, see the picks with their scores, faces and editable region, select
// some and upload them. Everything it shows is built with textContent and
// attributes, never innerHTML, so file names and candidate data cannot inject markup.
//
//   <script type="module" src="framepick/element"></script>
//   <frame-picker top="8" upload-url="/api/thumbnails"></frame-picker>
//
// See docs/api.md for the attributes, properties, events, CSS custom properties and parts.
import { FramePicker } from './framepick.js';

const STAGES = {
  loading: 'Loading the analyser',
  demux: 'Reading the video',
  decode: 'Decoding and scoring frames',
  analyse: 'Finding faces and ranking',
  encode: 'Encoding the picks',
  upload: 'Uploading',
};

const STYLE = `
:host {
  --_accent: var(--framepick-accent, #2563eb);
  --_radius: var(--framepick-radius, 10px);
  --_gap: var(--framepick-gap, 12px);
  --_bg: var(--framepick-background, #fff);
  --_fg: var(--framepick-color, #111827);
  --_muted: var(--framepick-muted-color, #4b5563);
  --_border: var(--framepick-border-color, #d1d5db);
  --_face: var(--framepick-face-color, #22c55e);
  --_region: var(--framepick-region-color, #f59e0b);
  --_crop: var(--framepick-crop-color, #fff);
  --_error: var(--framepick-error-color, #b91c1c);
  --_min: var(--framepick-column-width, 200px);
  display: block;
  font: var(--framepick-font, 14px/1.4 system-ui, sans-serif);
  color: var(--_fg);
  background: var(--_bg);
}
:host([hidden]) { display: none; }
* { box-sizing: border-box; }
.root { display: grid; gap: var(--_gap); }
.drop {
  display: grid; gap: 4px; place-items: center; text-align: center; cursor: pointer;
  padding: calc(var(--_gap) * 2); border: 2px dashed var(--_border); border-radius: var(--_radius);
}
.drop:hover, .drop.over { border-color: var(--_accent); }
.drop:focus-within { outline: 3px solid var(--_accent); outline-offset: 2px; }
.drop-title { font-weight: 600; }
.hint { color: var(--_muted); font-size: 0.9em; }
.sr-only {
  position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
.status { display: flex; gap: var(--_gap); align-items: center; flex-wrap: wrap; }
progress { flex: 1 1 200px; height: 8px; accent-color: var(--_accent); }
.stage { color: var(--_muted); min-height: 1.4em; }
.error { color: var(--_error); margin: 0; }
.error:empty { display: none; }
button {
  font: inherit; padding: 6px 14px; border-radius: var(--_radius); cursor: pointer;
  border: 1px solid var(--_accent); background: var(--_bg); color: var(--_accent);
}
button.primary { background: var(--_accent); color: #fff; }
button:disabled { opacity: 0.5; cursor: not-allowed; }
button:focus-visible, input:focus-visible { outline: 3px solid var(--_accent); outline-offset: 2px; }
[hidden] { display: none !important; }
.grid {
  list-style: none; margin: 0; padding: 0; display: grid; gap: var(--_gap);
  grid-template-columns: repeat(auto-fill, minmax(var(--_min), 1fr));
}
.pick {
  border: 2px solid var(--_border); border-radius: var(--_radius); overflow: hidden;
  background: var(--_bg);
}
.pick.selected { border-color: var(--_accent); }
.pick:focus-within { outline: 3px solid var(--_accent); outline-offset: 2px; }
.pick label { display: block; cursor: pointer; }
.frame { position: relative; width: 100%; background: #000; }
.frame img { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: contain; display: block; }
.face, .region { position: absolute; pointer-events: none; }
.face { border: 2px solid var(--_face); border-radius: 3px; }
.face-label {
  position: absolute; left: -2px; bottom: 100%; background: var(--_face); color: #000;
  font-size: 11px; padding: 0 4px; white-space: nowrap;
}
.region { border: 2px dashed var(--_region); }
.crop-layer { position: absolute; inset: 0; overflow: hidden; pointer-events: none; }
.crop {
  position: absolute; pointer-events: none; border: 2px solid var(--_crop);
  box-shadow: 0 0 0 100vmax rgba(0, 0, 0, 0.5);
}
.shapes { display: flex; gap: 4px; padding: 0 8px 8px; flex-wrap: wrap; }
.shapes button { padding: 1px 8px; font-size: 12px; }
.shapes button[aria-pressed="true"] { background: var(--_accent); color: #fff; }
.shapes button.cuts { border-style: dashed; }
.why {
  position: absolute; left: 0; right: 0; bottom: 0; margin: 0; padding: 6px 8px;
  list-style: none; background: rgba(0, 0, 0, 0.72); color: #fff; font-size: 12px;
  opacity: 0; transition: opacity 0.15s;
}
.pick:hover .why, .pick:focus-within .why { opacity: 1; }
.why:empty { display: none; }
.meta { display: flex; align-items: center; gap: 8px; padding: 6px 8px; }
.meta input { width: 18px; height: 18px; accent-color: var(--_accent); margin: 0; }
.score { font-weight: 700; }
.time { color: var(--_muted); margin-left: auto; font-variant-numeric: tabular-nums; }
.actions { display: flex; gap: var(--_gap); align-items: center; flex-wrap: wrap; }
.count { color: var(--_muted); }
`;

/** Build an element from a tag, attributes/properties and children (text or nodes). */
function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'style') Object.assign(el.style, v);
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c !== undefined && c !== null && c !== false) el.append(c); // strings become text nodes
  }
  return el;
}

const pct = (n) => `${Math.round(Math.max(0, Math.min(1, Number(n) || 0)) * 100)}`;
const num = (n, d = 0) => (Number.isFinite(Number(n)) ? Number(n) : d);
const clamp01 = (n) => Math.max(0, Math.min(1, num(n)));

let nextId = 1;

export class FramePickerElement extends HTMLElement {
  static observedAttributes = ['top', 'niche', 'upload-url', 'threads', 'worker-url'];

  /** Extra options for FramePicker.create (merged over the attributes). */
  pickerOptions = {};
  /** Extra options for picker.pick (e.g. sampleInterval, weights). */
  pickOptions = {};
  /** Extra options for picker.upload (e.g. headers, fieldName, presignedUrls). */
  uploadOptions = {};

  #ui;
  #uid = `fp${nextId++}`;
  #pickerPromise = null;
  #controller = null;
  #busy = null; // 'pick' | 'upload' | null
  #candidates = [];
  #report = null;
  #urls = [];

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    const ui = {};
    ui.input = h('input', {
      type: 'file', accept: 'video/*,.mp4,.mov,.m4v', class: 'sr-only', part: 'input',
      id: `${this.#uid}-file`, 'aria-describedby': `${this.#uid}-hint`,
      onchange: () => {
        const file = ui.input.files?.[0];
        if (file) this.pickFile(file).catch(() => {});
        ui.input.value = ''; // choosing the same file again fires change again
      },
    });
    ui.drop = h('label', {
      class: 'drop', part: 'dropzone', for: `${this.#uid}-file`,
      ondragenter: (e) => this.#onDrag(e, true), ondragover: (e) => this.#onDrag(e, true),
      ondragleave: (e) => this.#onDrag(e, false), ondrop: (e) => this.#onDrop(e),
    },
    ui.input,
    h('span', { class: 'drop-title', part: 'dropzone-title' }, h('slot', { name: 'label' }, 'Drop a video here, or choose a file')),
    h('span', { class: 'hint', id: `${this.#uid}-hint` },
      h('slot', { name: 'hint' }, 'MP4 or MOV. The video stays on your device; only the frames you select are uploaded.')));
    ui.progress = h('progress', { part: 'progress', max: '1', value: '0', 'aria-label': 'Progress', hidden: true });
    ui.stage = h('span', { class: 'stage', part: 'stage', role: 'status', 'aria-live': 'polite' });
    ui.cancel = h('button', { type: 'button', part: 'cancel-button', hidden: true, onclick: () => this.cancel() }, 'Cancel');
    ui.error = h('p', { class: 'error', part: 'error', role: 'alert' });
    ui.grid = h('ul', { class: 'grid', part: 'grid', 'aria-label': 'Picks' });
    ui.count = h('span', { class: 'count', part: 'count', 'aria-live': 'polite' });
    ui.upload = h('button', { type: 'button', class: 'primary', part: 'upload-button', disabled: true,
      onclick: () => this.upload().catch(() => {}) }, 'Upload selected');
    ui.actions = h('div', { class: 'actions', part: 'actions', hidden: true }, ui.upload, ui.count);
    root.append(
      h('style', { text: STYLE }),
      h('div', { class: 'root', part: 'container' },
        ui.drop,
        h('div', { class: 'status', part: 'status' }, ui.progress, ui.stage, ui.cancel),
        ui.error, ui.grid, ui.actions));
    this.#ui = ui;
  }

  // ---- attributes as properties ----------------------------------------------------
  /** How many picks to ask for (attribute `top`, default 8). */
  get top() { return Math.max(1, Math.floor(num(this.getAttribute('top'), 8)) || 8); }
  set top(v) { this.setAttribute('top', String(v)); }
  /** Niche passed to pick() (attribute `niche`), e.g. "talking-head". */
  get niche() { return this.getAttribute('niche') || undefined; }
  set niche(v) { if (v == null) this.removeAttribute('niche'); else this.setAttribute('niche', v); }
  /** Multipart POST endpoint for the Upload button (attribute `upload-url`). */
  get uploadUrl() { return this.getAttribute('upload-url') || undefined; }
  set uploadUrl(v) { if (v == null) this.removeAttribute('upload-url'); else this.setAttribute('upload-url', v); }
  /** Worker threads (attribute `threads`; default navigator.hardwareConcurrency). */
  get threads() { const n = Math.floor(num(this.getAttribute('threads'), 0)); return n > 0 ? n : undefined; }
  set threads(v) { if (v == null) this.removeAttribute('threads'); else this.setAttribute('threads', String(v)); }
  /** Where framepick's worker.js is served, when bundling moved it (attribute `worker-url`). */
  get workerUrl() { return this.getAttribute('worker-url') || undefined; }
  set workerUrl(v) { if (v == null) this.removeAttribute('worker-url'); else this.setAttribute('worker-url', v); }

  /** The picks on show, best first. */
  get candidates() { return this.#candidates.slice(); }
  /** The report of the last run, or null. */
  get report() { return this.#report; }
  /** The picks whose checkbox is ticked, in grid order. */
  get selected() {
    return this.#candidates.filter((_, i) => this.#ui.grid.querySelector(`input[data-index="${i}"]`)?.checked);
  }
  /** 'pick', 'upload' or null. */
  get busy() { return this.#busy; }

  attributeChangedCallback(name) {
    if (name === 'upload-url') this.#updateActions();
    // threads / worker-url only matter for the next picker: drop an idle one.
    if ((name === 'threads' || name === 'worker-url') && this.#pickerPromise && !this.#busy) this.#disposePicker();
  }

  disconnectedCallback() {
    this.cancel();
    this.#disposePicker();
  }

  /** The FramePicker this element uses, created on first need. */
  getPicker() {
    if (!this.#pickerPromise) {
      const options = { ...this.pickerOptions };
      if (this.threads && options.threads === undefined) options.threads = this.threads;
      if (this.workerUrl && !options.workerUrl) options.workerUrl = new URL(this.workerUrl, document.baseURI);
      const p = FramePicker.create(options);
      this.#pickerPromise = p;
      p.catch(() => { if (this.#pickerPromise === p) this.#pickerPromise = null; }); // retry next time
    }
    return this.#pickerPromise;
  }

  /** Analyse a video and show its picks. Resolves with {candidates, report}; rejects like pick(). */
  async pickFile(file) {
    this.cancel();
    const controller = new AbortController();
    this.#controller = controller;
    this.#setBusy('pick');
    this.#showError(null);
    this.showCandidates([]);
    this.#setProgress('loading', 0);
    try {
      const picker = await this.getPicker();
      if (controller.signal.aborted) throw abortError();
      const result = await picker.pick(file, {
        top: this.top,
        ...(this.niche ? { niche: this.niche } : {}),
        ...this.pickOptions,
        signal: controller.signal,
        onProgress: (p) => {
          if (this.#controller !== controller) return;
          this.#setProgress(p.stage, p.fraction);
          this.#emit('progress', { stage: p.stage, fraction: p.fraction });
        },
      });
      if (this.#controller !== controller) throw abortError();
      this.showCandidates(result.candidates, result.report);
      const name = file && typeof file.name === 'string' && file.name ? `${file.name}: ` : '';
      this.#ui.stage.textContent = `${name}${result.candidates.length} picks. Select the ones to upload.`;
      this.#ui.progress.value = 1;
      this.#emit('pick', { candidates: result.candidates, report: result.report });
      return result;
    } catch (e) {
      if (this.#controller === controller) this.#fail(e); // not when a newer run replaced it
      throw e;
    } finally {
      if (this.#controller === controller) {
        this.#controller = null;
        this.#setBusy(null);
      }
    }
  }

  /** Upload the selected picks to `upload-url` (plus `uploadOptions`). Resolves with the results. */
  async upload(candidates = this.selected) {
    if (this.#busy) throw Object.assign(new Error('busy'), { code: 'INVALID_ARGUMENT' });
    const controller = new AbortController();
    this.#controller = controller;
    this.#setBusy('upload');
    this.#showError(null);
    this.#setProgress('upload', 0);
    try {
      const picker = await this.getPicker();
      const options = { ...this.uploadOptions };
      if (!options.presignedUrls && !options.url) options.url = this.uploadUrl;
      const results = await picker.upload(candidates, {
        ...options,
        signal: controller.signal,
        onProgress: (p) => {
          const fraction = p.total ? p.loaded / p.total : 1;
          this.#setProgress('upload', fraction);
          this.#emit('progress', { stage: 'upload', fraction });
          options.onProgress?.(p);
        },
      });
      this.#ui.progress.value = 1;
      this.#ui.stage.textContent = `Uploaded ${results.length} ${results.length === 1 ? 'pick' : 'picks'}.`;
      this.#emit('upload', results);
      return results;
    } catch (e) {
      this.#fail(e);
      throw e;
    } finally {
      if (this.#controller === controller) this.#controller = null;
      this.#setBusy(null);
    }
  }

  /** Stop the current analysis or upload (the run rejects with code ABORTED). */
  cancel() {
    this.#controller?.abort();
  }

  /**
   * Show candidates in the grid (what a finished pick calls; also usable to restore picks
   * you kept). Every value is rendered as text or a numeric style, never as markup.
   */
  showCandidates(candidates = [], report = null) {
    for (const u of this.#urls) URL.revokeObjectURL(u);
    this.#urls = [];
    this.#candidates = Array.isArray(candidates) ? candidates.slice() : [];
    this.#report = report;
    this.#ui.grid.replaceChildren(...this.#candidates.map((c, i) => this.#renderPick(c, i)));
    this.#updateActions();
  }

  #renderPick(c, i) {
    const w = num(c.width, 16) || 16;
    const h_ = num(c.height, 9) || 9;
    const time = num(c.time);
    const score = pct(c.score);
    const why = Array.isArray(c.why) ? c.why.map(String) : [];
    const scoreLines = Object.entries(c.scores || {})
      .filter(([, v]) => Number.isFinite(Number(v)))
      .map(([k, v]) => `${k} ${pct(v)}`);
    const emotions = (c.faces || []).map((f) => f?.emotion?.label).filter(Boolean).map(String);
    const summary = why.length ? why : scoreLines.length ? [scoreLines.join(' · ')] : [];
    const title = [`Frame at ${time.toFixed(2)} s, score ${score}`, ...why,
      ...(scoreLines.length ? [scoreLines.join(', ')] : []),
      ...(emotions.length ? [`expression: ${emotions.join(', ')}`] : [])].join('\n');

    const img = h('img', { part: 'image', alt: `Frame at ${time.toFixed(2)} s, score ${score}`, draggable: 'false' });
    if (c.blob instanceof Blob) {
      const url = URL.createObjectURL(c.blob);
      this.#urls.push(url);
      img.src = url;
    }
    const boxes = (c.faces || []).map((f) => h('span', {
      class: 'face', part: 'face-box',
      style: {
        left: `${(100 * num(f.x)) / w}%`, top: `${(100 * num(f.y)) / h_}%`,
        width: `${(100 * num(f.width)) / w}%`, height: `${(100 * num(f.height)) / h_}%`,
      },
    }, f?.emotion?.label ? h('span', { class: 'face-label', part: 'face-label', text: String(f.emotion.label) }) : null));
    const r = c.editableRegion;
    const region = r ? h('span', {
      class: 'region', part: 'editable-region', title: 'Editable region',
      style: {
        left: `${100 * clamp01(r.x)}%`, top: `${100 * clamp01(r.y)}%`,
        width: `${100 * clamp01(r.width)}%`, height: `${100 * clamp01(r.height)}%`,
      },
    }) : null;
    const captionId = `${this.#uid}-why-${i}`;
    const checkbox = h('input', {
      type: 'checkbox', part: 'checkbox', 'data-index': i, 'aria-describedby': captionId,
      'aria-label': `Select frame at ${time.toFixed(2)} s, score ${score}`,
      onchange: () => this.#updateActions(),
    });
    return h('li', { class: 'pick', part: 'pick', title, 'data-index': i },
      h('label', {},
        h('div', { class: 'frame', part: 'frame', style: { aspectRatio: `${w} / ${h_}` } },
          img, region, boxes,
          h('ul', { class: 'why', part: 'caption', id: captionId },
            summary.map((line) => h('li', { text: line })))),
        h('div', { class: 'meta', part: 'meta' },
          checkbox,
          h('span', { class: 'score', part: 'score', text: score }),
          h('span', { class: 'time', part: 'time', text: `${time.toFixed(2)} s` }))),
      this.#renderShapes(c, w, h_));
  }

  /**
   * One toggle button per crop shape (16:9, 1:1, 4:5, 9:16, …): pressed, it outlines that
   * crop over the picture and dims the rest. Dashed when the shape cuts a face.
   */
  #renderShapes(c, w, h_) {
    const crops = (Array.isArray(c.crops) ? c.crops : []).filter((k) => num(k?.width) > 0 && num(k?.height) > 0);
    if (!crops.length) return null;
    // One tab stop per pick (a toolbar: the arrow keys move between the shapes).
    const buttons = crops.map((k, j) => h('button', {
      type: 'button', part: 'shape-button', class: k.cutsFaces ? 'cuts' : undefined,
      'aria-pressed': 'false', tabindex: j === 0 ? '0' : '-1', 'data-ratio': String(k.ratio), text: String(k.ratio),
      title: `${k.ratio}: ${num(k.width)}×${num(k.height)}, score ${pct(k.score)} — ${String(k.reason ?? '')}`,
      'aria-label': `Preview the ${k.ratio} crop`,
      onclick: (e) => {
        const button = e.currentTarget;
        const li = button.closest('li.pick');
        const on = button.getAttribute('aria-pressed') !== 'true';
        for (const b of li.querySelectorAll('[part="shape-button"]')) b.setAttribute('aria-pressed', 'false');
        li.querySelector('.crop-layer')?.remove();
        if (!on) return;
        button.setAttribute('aria-pressed', 'true');
        // The layer clips the dimming shadow to the picture; face labels may still overhang.
        li.querySelector('.frame').append(h('span', { class: 'crop-layer' }, h('span', {
          class: 'crop', part: 'crop-box', title: String(k.reason ?? ''),
          style: {
            left: `${(100 * num(k.x)) / w}%`, top: `${(100 * num(k.y)) / h_}%`,
            width: `${(100 * num(k.width)) / w}%`, height: `${(100 * num(k.height)) / h_}%`,
          },
        })));
      },
    }));
    const onkeydown = (e) => {
      const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
      const at = buttons.indexOf(e.target);
      if (!step || at < 0) return;
      e.preventDefault();
      const next = buttons[(at + step + buttons.length) % buttons.length];
      for (const b of buttons) b.tabIndex = b === next ? 0 : -1;
      next.focus();
    };
    return h('div', { class: 'shapes', part: 'shapes', role: 'toolbar', 'aria-label': 'Crop shapes', onkeydown },
      buttons);
  }

  #updateActions() {
    const ui = this.#ui;
    const n = this.#candidates.length;
    const boxes = [...ui.grid.querySelectorAll('input[type=checkbox]')];
    let chosen = 0;
    for (const b of boxes) {
      b.closest('.pick')?.classList.toggle('selected', b.checked);
      if (b.checked) chosen++;
    }
    ui.actions.hidden = n === 0;
    const target = this.uploadUrl || this.uploadOptions?.url || this.uploadOptions?.presignedUrls;
    ui.upload.disabled = chosen === 0 || !target || this.#busy !== null;
    ui.upload.textContent = chosen ? `Upload ${chosen} selected` : 'Upload selected';
    ui.count.textContent = n ? `${chosen} of ${n} selected` : '';
  }

  #setBusy(kind) {
    this.#busy = kind;
    this.#ui.cancel.hidden = kind === null;
    this.#ui.input.disabled = kind === 'upload';
    this.toggleAttribute('busy', kind !== null);
    this.#updateActions();
  }

  #setProgress(stage, fraction) {
    const ui = this.#ui;
    ui.progress.hidden = false;
    ui.progress.value = Math.max(0, Math.min(1, num(fraction)));
    const label = STAGES[stage] || String(stage);
    ui.stage.textContent = stage === 'loading' ? `${label}…` : `${label}… ${pct(fraction)} %`;
  }

  #fail(e) {
    const code = e?.code || 'INTERNAL';
    const message = e?.message || String(e);
    if (code === 'ABORTED') {
      this.#ui.stage.textContent = 'Cancelled.';
    } else {
      this.#ui.stage.textContent = '';
      this.#showError(`${message} (${code})`);
    }
    this.#ui.progress.hidden = true;
    this.#emit('error', { code, message });
  }

  #showError(text) {
    this.#ui.error.textContent = text || '';
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  #onDrag(e, over) {
    if (![...(e.dataTransfer?.types || [])].includes('Files')) return;
    e.preventDefault();
    this.#ui.drop.classList.toggle('over', over);
  }

  #onDrop(e) {
    e.preventDefault();
    this.#ui.drop.classList.remove('over');
    const file = e.dataTransfer?.files?.[0];
    if (file && this.#busy !== 'upload') this.pickFile(file).catch(() => {});
  }

  #disposePicker() {
    const p = this.#pickerPromise;
    this.#pickerPromise = null;
    p?.then((picker) => picker.dispose(), () => {});
  }
}

function abortError() {
  return Object.assign(new Error('the run was cancelled'), { name: 'FramepickError', code: 'ABORTED' });
}

if (!customElements.get('frame-picker')) customElements.define('frame-picker', FramePickerElement);
