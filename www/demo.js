// Demo page glue: a file input, a progress bar and a grid of picks.
// `window.framepickDemo` is what the CLI (bin/framepick.mjs) drives.
import { FramePicker } from './framepick.js';

const $ = (id) => document.getElementById(id);
const status = (t) => { $('status').textContent = t; };
let controller = null;

// ?threads=1 forces the single-thread build (the CLI's --threads passes it through);
// ?relaxedSimd=0 the baseline build, which does without WebAssembly relaxed SIMD.
const query = new URLSearchParams(location.search);
const threads = Number(query.get('threads')) || navigator.hardwareConcurrency;
const relaxedSimd = query.get('relaxedSimd') !== '0';
const ready = FramePicker.create({ threads, relaxedSimd }).then((p) => {
  const i = p.info;
  status(`Ready: ${i.build} wasm, ${i.threads} thread(s)` +
    (i.faceModel ? ', face model loaded.' : `, no face model (${i.modelError?.message}).`));
  return p;
}, (e) => { status(`Could not start: ${e.message}`); throw e; });

async function run(file, options = {}) {
  const picker = await ready;
  controller = new AbortController();
  $('cancel').disabled = false;
  $('grid').replaceChildren();
  status(`Analysing ${file.name || 'video'}…`);
  try {
    const result = await picker.pick(file, {
      top: Number($('top').value) || 8,
      ...options,
      signal: controller.signal,
      onProgress: (p) => {
        $('progress').value = p.fraction;
        status(`${p.stage} ${(p.fraction * 100).toFixed(0)} %`);
        window.__framepickProgress?.(p);
      },
    });
    render(result);
    const t = result.report.timings;
    status(`${result.candidates.length} picks in ${(t.totalMs / 1000).toFixed(2)} s ` +
      `(${result.report.framesDecoded} frames decoded, ${result.report.threads} threads)`);
    return result;
  } finally {
    $('cancel').disabled = true;
    controller = null;
  }
}

function render({ candidates, report }) {
  for (const c of candidates) {
    const fig = document.createElement('figure');
    const frame = document.createElement('div');
    frame.className = 'frame';
    const img = document.createElement('img');
    img.src = URL.createObjectURL(c.blob);
    img.alt = `Frame at ${c.time.toFixed(2)} s`;
    frame.append(img);
    for (const f of c.faces) {
      const box = document.createElement('div');
      box.className = 'face';
      Object.assign(box.style, {
        left: `${(100 * f.x) / c.width}%`, top: `${(100 * f.y) / c.height}%`,
        width: `${(100 * f.width) / c.width}%`, height: `${(100 * f.height) / c.height}%`,
      });
      box.title = `face ${f.score.toFixed(2)}`;
      frame.append(box);
    }
    const cap = document.createElement('figcaption');
    cap.textContent = `${c.time.toFixed(2)} s · score ${c.score.toFixed(3)} · ` +
      `${c.faces.length} face(s)`;
    fig.append(frame, cap);
    $('grid').append(fig);
  }
  $('report').textContent = JSON.stringify(report, null, 2);
  $('report').hidden = false;
}

$('file').addEventListener('change', () => {
  const file = $('file').files[0];
  if (file && !window.__framepickDriven) run(file).catch((e) => status(`${e.code}: ${e.message}`));
});
$('cancel').addEventListener('click', () => controller?.abort());

// The browser's own encoder (a data: URL): building a binary string for btoa() took
// 150–200 ms for ten 1080p JPEGs, a tenth of the CLI's time outside the pick.
function blobToBase64(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result.slice(reader.result.indexOf(',') + 1));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

window.framepickDemo = {
  ready: () => ready.then((p) => p.info),
  /** Run on the file in #file; images come back base64 so they cross into Node. */
  async pickFromInput(options = {}) {
    try {
      const { candidates, report } = await run($('file').files[0], options);
      const out = [];
      for (const c of candidates) {
        const { blob, ...rest } = c;
        // Asked crops (`crops` option) carry their images the same way.
        const crops = await Promise.all((c.crops || []).map(async ({ blob: b, ...k }) =>
          (b ? { ...k, image: { type: b.type, base64: await blobToBase64(b) } } : k)));
        out.push({ ...rest, crops, image: { type: blob.type, base64: await blobToBase64(blob) } });
      }
      return { candidates: out, report };
    } catch (e) {
      return { error: { code: e.code || 'INTERNAL', message: e.message } };
    }
  },
};
