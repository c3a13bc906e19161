#!/usr/bin/env node
// framepick CLI: runs the real in-browser pipeline (WebCodecs + wasm threads) in
// headless Chrome, Chromium or Edge on local video files and writes the picks and a JSON
// report per video. `framepick --help` and `framepick pick --help` say how.
//
// One browser, one page and one worker for every video of a run: `openBrowserPicker()`;
// `pickInBrowser()` picks one file in a browser of its own (bench/ uses it).
import { existsSync, mkdirSync, writeFileSync, statSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { basename, extname, join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startServer } from '../www/server.mjs';
import { findBrowser, BrowserNotFoundError } from './browsers.mjs';
import { acquireProfile } from './profile.mjs';
import { CHROMIUM_ARGS, GPU_CHROMIUM_ARGS, launchBrowser } from './launch.mjs';
import { imageSize } from './images.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const WWW = resolve(HERE, '../www');
export const VERSION = JSON.parse(readFileSync(join(HERE, '../package.json'), 'utf8')).version;
export { CHROMIUM_ARGS, GPU_CHROMIUM_ARGS, imageSize };

export const NICHES = ['general', 'vlog', 'gaming', 'education', 'tutorial', 'music', 'sports'];
/** What a folder given on the command line is searched for (not recursively). */
export const VIDEO_EXTENSIONS = ['.mp4', '.m4v', '.mov', '.webm', '.mkv'];

const HELP = `Usage: framepick <command> [options]

Pick the best frames of videos, on this machine, with the same page and worker a web
app runs (WebCodecs, Rust/WebAssembly on threads, face detection) in headless Chrome,
Chromium or Edge.

Commands:
  pick VIDEO|FOLDER...   pick the best frames of each video (framepick pick --help)
  help [COMMAND]         this help, or a command's

Options:
  -h, --help             show help
      --version          print the version (${VERSION})

Example:
  framepick pick --top 5 holiday.mp4 clips/ --out thumbs`;

const PICK_HELP = `Usage: framepick pick [options] VIDEO|FOLDER...

Picks the best frames of each video (MP4/MOV, WebM/MKV; a FOLDER stands for the videos
in it: ${VIDEO_EXTENSIONS.join(' ')}) and writes them as images with a JSON report.
Options go before or after the files. All videos run in one browser, one at a time;
one that fails does not stop the others.

Output:
  -o, --out DIR          where the picks go (default: picks). One video: DIR/pick-01-2.00s.jpg
                         … and DIR/report.json. Several videos (or a folder): DIR/NAME/ per
                         video, each with its report.json, and DIR/summary.json
      --json FILE        write the report (one video) or the summary (several) to FILE instead
      --jsonl            print one JSON line per video on stdout as it finishes (for scripts;
                         the human-readable lines go to stderr)
      --format FMT       image format: jpeg (default) or webp
      --quality Q        image quality, 0 to 1 (default 0.9)
      --max-width PX     picks at most PX wide, aspect kept (pick()'s maxWidth)
      --crop W:H         also write each pick cropped to this shape (16:9, 1:1, 4:5, 9:16 or any
                         W:H; repeat it or give a comma list): DIR/pick-01-2.00s-16x9.jpg, the
                         exact ratio, full resolution. The report has every pick's 16:9, 1:1,
                         4:5 and 9:16 crop rectangles either way (pick()'s crops)

Picking:
  -n, --top N            picks per video, best first (default 10)
      --niche NAME       tune the ranking for ${NICHES.join(', ')}
      --interval S       seconds between sampled frames (default: from the duration)
      --decode-budget U  decode units a minute of 1080p video (default 200: a delta frame
                         1, a keyframe 4); 'all' decodes every planned frame, whatever it costs
      --threads N        wasm threads (default: the machine's cores; 1: single-thread build)
      --gpu              quick filter on WebGPU, whatever the adapter (headless: SwiftShader,
                         slower than the CPU)
      --no-gpu           never WebGPU (default: WebGPU only on a hardware adapter)

Browser:
      --browser PATH     Chrome, Chromium or Edge executable to run (default:
                         FRAMEPICK_CHROMIUM, else the first installed one found)
      --no-cache         run the browser in a throwaway profile. By default it keeps one in
                         the user's cache folder (FRAMEPICK_CACHE_DIR), whose compiled-code
                         cache makes every run after the first start faster

  -h, --help             show this help

Exit status: 0 every video picked, 1 a video failed (or no browser), 2 bad command line.
Environment: FRAMEPICK_CHROMIUM (browser executable), FRAMEPICK_CACHE_DIR (the kept
profiles; off: none), FRAMEPICK_DEBUG=1 (page console).

Examples:
  framepick pick video.mp4
  framepick pick --top 3 --json out.json video.mp4
  framepick pick a.mp4 b.webm clips/ --out thumbs --format webp --quality 0.8
  framepick pick clips/ --jsonl > picks.jsonl`;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  top: { type: 'string', short: 'n' },
  niche: { type: 'string' },
  out: { type: 'string', short: 'o' },
  json: { type: 'string' },
  jsonl: { type: 'boolean' },
  format: { type: 'string' },
  quality: { type: 'string' },
  'max-width': { type: 'string' },
  crop: { type: 'string', multiple: true },
  interval: { type: 'string' },
  'decode-budget': { type: 'string' },
  threads: { type: 'string' },
  gpu: { type: 'boolean' },
  'no-gpu': { type: 'boolean' },
  browser: { type: 'string' },
  'no-cache': { type: 'boolean' },
};

/** A command-line mistake: printed with a pointer to the help, exit status 2. */
export class UsageError extends Error {
  constructor(message, command = 'pick') {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

const number = (name, raw, { integer = false, min = -Infinity, max = Infinity, minExclusive = false } = {}) => {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  const ok = raw.trim() !== '' && Number.isFinite(v) && (!integer || Number.isInteger(v)) &&
    (minExclusive ? v > min : v >= min) && v <= max;
  if (!ok) {
    const what = integer ? 'a whole number' : 'a number';
    const range = max < Infinity ? ` from ${min} to ${max}` : minExclusive ? ` over ${min}` : ` of at least ${min}`;
    throw new UsageError(`--${name} needs ${what}${range}, not '${raw}'` +
      (name === 'quality' && v > 1 && v <= 100 ? ` (for ${v} % write ${v / 100})` : ''));
  }
  return v;
};

/**
 * The command line as `{ help, version, command, videos, opts }` (help: the command whose
 * help to print, or 'main'). Throws UsageError.
 */
export function parseCommandLine(argv) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const m = /option '([^']+)'/i.exec(e.message);
      throw new UsageError(`unknown option ${m ? m[1] : e.message}`);
    }
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const m = /option '(-\w, )?(--[\w-]+)/i.exec(e.message);
      if (m) {
        const flag = m[2];
        throw new UsageError(OPTIONS[flag.slice(2)]?.type === 'boolean' ? `${flag} takes no value`
          : /ambiguous/.test(e.message) ? `${flag} needs a value (one starting with '-' is written ${flag}=-…)`
            : `${flag} needs a value`);
      }
    }
    throw new UsageError(e.message);
  }
  const { values: v, positionals } = parsed;
  const [command, ...videos] = positionals;
  if (v.version) return { version: true };
  if (command === 'help') return { help: videos[0] === 'pick' ? 'pick' : 'main' };
  if (v.help) return { help: command === 'pick' ? 'pick' : 'main' };
  if (command === undefined) throw new UsageError('no command given (try framepick pick VIDEO)', 'main');
  if (command !== 'pick') {
    const hint = existsSync(command) ? `; to pick its frames: framepick pick ${command}` : '';
    throw new UsageError(`unknown command ${command}${hint}`, 'main');
  }
  if (videos.length === 0) throw new UsageError('no video given');
  if (v.gpu && v['no-gpu']) throw new UsageError('--gpu and --no-gpu contradict each other');
  const niche = v.niche?.trim().toLowerCase();
  if (niche !== undefined && !NICHES.includes(niche)) {
    throw new UsageError(`--niche must be one of ${NICHES.join(', ')}, not '${v.niche}'`);
  }
  let format = v.format?.toLowerCase();
  if (format === 'jpg') format = 'jpeg';
  if (format !== undefined && format !== 'jpeg' && format !== 'webp') {
    throw new UsageError(`--format must be jpeg or webp, not '${v.format}'`);
  }
  const crops = cropRatios(v.crop);
  for (const name of ['out', 'json', 'browser']) {
    if (v[name] === '') throw new UsageError(`--${name} needs a value`);
  }
  const opts = {
    top: number('top', v.top, { integer: true, min: 1 }) ?? 10,
    niche: niche ?? null,
    out: v.out ?? 'picks',
    json: v.json ?? null,
    jsonl: Boolean(v.jsonl),
    format: format ?? 'jpeg',
    quality: number('quality', v.quality, { min: 0, max: 1 }) ?? 0.9,
    maxWidth: number('max-width', v['max-width'], { integer: true, min: 1 }) ?? null,
    crops,
    interval: number('interval', v.interval, { min: 0, minExclusive: true }) ?? null,
    decodeBudget: v['decode-budget'] === 'all' ? Infinity
      : number('decode-budget', v['decode-budget'], { min: 0, minExclusive: true }) ?? null,
    threads: number('threads', v.threads, { integer: true, min: 1 }) ?? null,
    gpu: v.gpu ? true : v['no-gpu'] ? false : 'auto',
    cache: !v['no-cache'],
    browser: v.browser ?? null,
  };
  return { command, videos, opts };
}

/**
 * `--crop` values (repeated, or comma lists) as pick()'s `crops`: `['16:9', '1:1']`, or
 * null. Throws UsageError for anything but W:H with positive numbers, at most 20:1.
 */
function cropRatios(values) {
  if (!values) return null;
  const out = [];
  for (const raw of values.flatMap((v) => v.split(','))) {
    const m = /^\s*(\d+(?:\.\d{1,3})?)\s*[:x/]\s*(\d+(?:\.\d{1,3})?)\s*$/i.exec(raw);
    const [w, h] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
    if (!(w > 0 && h > 0 && w <= 20 * h && h <= 20 * w)) {
      throw new UsageError(`--crop needs a shape W:H such as 16:9, 1:1, 4:5 or 9:16, not '${raw}'`);
    }
    const ratio = `${m[1]}:${m[2]}`;
    if (!out.includes(ratio)) out.push(ratio);
  }
  return out;
}

/** The wasm builds the page loads; without them every pick would fail the same way. */
function checkBuild() {
  const builds = ['pkg/single/framepick.js', 'pkg/baseline/framepick.js', 'pkg/threads/framepick.js'];
  if (builds.every((f) => !existsSync(join(WWW, f)))) {
    throw Object.assign(new Error(`the wasm build is missing (${join(WWW, 'pkg')}): run npm run build ` +
      '(or install framepick from npm, which ships it)'), { code: 'BUILD_MISSING' });
  }
}

/**
 * One headless browser with the demo page loaded and its picker (one worker) ready, for
 * picking many files in turn.
 * @param {{threads?: number|null, gpu?: boolean|'auto', executablePath?: string, browser?: string,
 *   cache?: boolean}} [options]
 *   executablePath: run this browser as is; browser: the same, checked first (--browser);
 *   neither: FRAMEPICK_CHROMIUM, else the first installed Chrome, Chromium or Edge found.
 *   cache (default true): run it in a profile kept between runs (bin/profile.mjs); false:
 *   a throwaway profile (--no-cache).
 * @returns {Promise<{info: object, browser: {executable: string, source: string, version: string, profile: string|null},
 *   pick: (videoPath: string, opts?: object) => Promise<object>, close: () => Promise<void>}>}
 */
export async function openBrowserPicker({ threads = null, gpu = 'auto', executablePath, browser: browserPath,
  cache = true } = {}) {
  const found = executablePath ? { path: executablePath, source: 'executablePath' }
    : findBrowser({ explicit: browserPath });
  checkBuild();
  const args = gpu === true ? GPU_CHROMIUM_ARGS : CHROMIUM_ARGS;
  const profile = cache ? acquireProfile({ browser: found.path }) : null;
  // The profile's fixed port keeps its code cache valid; when something else holds the
  // port, any port will do (the pick compiles the wasm afresh).
  const server = await startServer({ root: WWW, port: profile?.port ?? 0 })
    .catch(() => startServer({ root: WWW }));
  let browser;
  try {
    browser = await launchBrowser(found.path, args, profile);
  } catch (e) {
    profile?.release();
    await server.close();
    throw Object.assign(new Error(`could not start the browser ${found.path} (${found.source}): ` +
      `${e.message.split('\n')[0]}`), { code: 'BROWSER_FAILED' });
  }
  const consoleLines = [];
  let onProgress = () => {};
  let page;
  let info;
  const openPage = async () => {
    page = await browser.newPage();
    page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
    await page.addInitScript(() => { window.__framepickDriven = true; });
    await page.exposeFunction('__framepickProgress', (p) => onProgress(p));
    await page.goto(new URL(`index.html${threads ? `?threads=${threads}` : ''}`, server.url).href);
    info = await page.evaluate(() => window.framepickDemo.ready());
  };
  try {
    await openPage();
  } catch (e) {
    await browser.close();
    await server.close();
    throw e;
  }
  const flushConsole = () => {
    if (process.env.FRAMEPICK_DEBUG && consoleLines.length) console.error(consoleLines.join('\n'));
    consoleLines.length = 0;
  };
  return {
    get info() { return info; },
    /** profile: the kept profile the browser runs in (its code cache), or null for a throwaway one. */
    browser: { executable: found.path, source: found.source, version: browser.version, profile: browser.profile },
    /** `{candidates, report, info}` or `{error: {code, message}, info}`; images as base64. */
    async pick(videoPath, { top = 10, niche = null, interval = null, quality = 0.9, format = null,
      maxWidth = null, crops = null, decodeBudget = null, lowMemory = null, onProgress: progress = () => {} } = {}) {
      onProgress = progress;
      try {
        if (page.isClosed()) await openPage();
        await page.setInputFiles('#file', videoPath);
        const options = { top, quality, gpu, ...(niche ? { niche } : {}), ...(format ? { format } : {}),
          ...(maxWidth ? { maxWidth } : {}), ...(interval ? { sampleInterval: interval } : {}),
          ...(crops?.length ? { crops } : {}), ...(decodeBudget !== null ? { decodeBudget } : {}),
          ...(lowMemory !== null ? { lowMemory } : {}) };
        const result = await page.evaluate((o) => window.framepickDemo.pickFromInput(o), options);
        // The demo page keeps an object URL per pick it shows: let them go.
        await page.evaluate(() => {
          for (const img of document.querySelectorAll('#grid img')) URL.revokeObjectURL(img.src);
          document.getElementById('grid').replaceChildren();
        }).catch(() => {});
        return { ...result, info };
      } catch (e) {
        // The page itself died (a renderer crash): this file fails, the next gets a new page.
        await page.close().catch(() => {});
        return { error: { code: 'BROWSER_CRASHED', message: `the browser page failed: ${e.message.split('\n')[0]}` }, info };
      } finally {
        onProgress = () => {};
        flushConsole();
      }
    },
    async close() {
      await browser.close().catch(() => {});
      await server.close();
    },
  };
}

/** Run a pick in a headless browser of its own; resolves to the page's `{candidates, report}` or `{error}`. */
export async function pickInBrowser(videoPath, { top = 10, niche = null, interval = null, threads = null,
  quality = 0.9, format = null, maxWidth = null, crops = null, decodeBudget = null, lowMemory = null, gpu = 'auto',
  executablePath, cache = true, onProgress = () => {} } = {}) {
  const picker = await openBrowserPicker({ threads, gpu, executablePath, cache });
  try {
    return await picker.pick(videoPath, { top, niche, interval, quality, format, maxWidth, crops, decodeBudget,
      lowMemory, onProgress });
  } finally {
    await picker.close();
  }
}

/** The videos the command line names: files as given, folders as the videos in them. */
export function expandInputs(paths) {
  const out = [];
  let folder = false;
  for (const p of paths) {
    let st = null;
    try { st = statSync(p); } catch { /* missing */ }
    if (st?.isDirectory()) {
      folder = true;
      const videos = readdirSync(p).filter((f) => VIDEO_EXTENSIONS.includes(extname(f).toLowerCase()))
        .sort().map((f) => join(p, f)).filter((f) => statSync(f).isFile());
      if (videos.length === 0) {
        out.push({ path: p, error: { code: 'NOT_FOUND', message: `no videos (${VIDEO_EXTENSIONS.join(' ')}) in the folder` } });
      }
      for (const v of videos) out.push({ path: v });
    } else if (st?.isFile()) {
      out.push({ path: p });
    } else {
      out.push({ path: p, error: { code: 'NOT_FOUND', message: st ? 'not a file' : 'no such file' } });
    }
  }
  return { inputs: out, several: folder || out.length > 1 };
}

/** A folder name per video, unique within the run. */
function folderNames(inputs) {
  const used = new Map();
  return inputs.map(({ path }) => {
    const base = basename(path, extname(path)).replace(/[^\w.@+-]+/g, '_').replace(/^\.+/, '') || 'video';
    const n = (used.get(base) || 0) + 1;
    used.set(base, n);
    return n === 1 ? base : `${base}-${n}`;
  });
}

function progressBar(label) {
  if (!process.stderr.isTTY) return () => {};
  return (p) => {
    const width = 30;
    const done = Math.round(p.fraction * width);
    process.stderr.write(`\r${label}[${'#'.repeat(done)}${'.'.repeat(width - done)}] ` +
      `${(p.fraction * 100).toFixed(0).padStart(3)} % ${p.stage.padEnd(8)}`);
  };
}

const clearLine = () => { if (process.stderr.isTTY) process.stderr.write('\r\x1b[K'); };

/** Write one video's picks and report; returns the candidates as written. */
function writePicks(result, { dir, jsonPath, video, t0, browser, maxWidth }) {
  mkdirSync(dir, { recursive: true });
  const warnings = [];
  let tooWide = 0;
  // An image as a file in `dir`: its name and size as the report gives them.
  const write = (image, name) => {
    const file = `${name}.${image.type === 'image/webp' ? 'webp' : 'jpg'}`;
    const bytes = Buffer.from(image.base64, 'base64');
    writeFileSync(join(dir, file), bytes);
    const size = imageSize(bytes);
    return { image: file, ...(size ? { imageWidth: size.width, imageHeight: size.height } : {}) };
  };
  const candidates = result.candidates.map((c, i) => {
    const name = `pick-${String(i + 1).padStart(2, '0')}-${c.time.toFixed(2)}s`;
    const { image, crops, ...rest } = c;
    const written = write(image, name);
    if (maxWidth && written.imageWidth > maxWidth) tooWide++;
    // Asked crops (--crop) next to the pick: pick-01-2.00s-16x9.jpg.
    const cropsOut = crops?.map(({ image: img, ...k }) =>
      (img ? { ...k, ...write(img, `${name}-${k.ratio.replace(':', 'x')}`) } : k));
    return { ...rest, ...(cropsOut ? { crops: cropsOut } : {}), ...written };
  });
  if (tooWide) {
    warnings.push(`--max-width ${maxWidth}: ${tooWide} pick(s) came back wider (this build's pick() ` +
      'does not scale pictures down yet)');
  }
  const report = { ...result.report, warnings: [...(result.report.warnings || []), ...warnings],
    video: resolve(video), wallMs: Date.now() - t0, browser: result.info,
    browserExecutable: browser.executable, browserVersion: browser.version, browserProfile: browser.profile };
  mkdirSync(dirname(resolve(jsonPath)), { recursive: true });
  writeFileSync(jsonPath, JSON.stringify({ candidates, report }, null, 2));
  return { candidates, report, warnings };
}

function printUsageError(e) {
  console.error(`framepick: ${e.message}`);
  console.error(`Try 'framepick ${e.command === 'main' ? '' : `${e.command} `}--help'.`);
}

export async function main(argv = process.argv.slice(2)) {
  let cmd;
  try {
    cmd = parseCommandLine(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    printUsageError(e);
    return 2;
  }
  if (cmd.version) { console.log(VERSION); return 0; }
  if (cmd.help) { console.log(cmd.help === 'pick' ? PICK_HELP : HELP); return 0; }

  const { opts } = cmd;
  const { inputs, several } = expandInputs(cmd.videos);
  // Human-readable lines: stdout, or stderr when stdout carries JSON lines.
  const say = opts.jsonl ? (s) => console.error(s) : (s) => console.log(s);
  const emit = (obj) => { if (opts.jsonl) process.stdout.write(`${JSON.stringify(obj)}\n`); };
  const names = folderNames(inputs);
  const entries = [];
  const fail = (input, error, wallMs = 0) => {
    console.error(`framepick: ${input.path}: ${error.code}: ${error.message}`);
    const entry = { video: resolve(input.path), ok: false, error, wallMs };
    entries.push(entry);
    emit(entry);
  };

  const runnable = inputs.filter((i) => !i.error);
  let picker = null;
  if (runnable.length) {
    try {
      picker = await openBrowserPicker({ threads: opts.threads, gpu: opts.gpu, browser: opts.browser || undefined,
        cache: opts.cache });
    } catch (e) {
      // No browser, a browser that does not start, no wasm build, a page that does not load.
      const known = e instanceof BrowserNotFoundError || e.code === 'BROWSER_FAILED' || e.code === 'BUILD_MISSING';
      console.error(`framepick: ${known ? e.message : `could not start the picker: ${e.message}`}`);
      if (!known && process.env.FRAMEPICK_DEBUG) console.error(e.stack);
      return 1;
    }
  }
  const tRun = Date.now();
  try {
    for (const [i, input] of inputs.entries()) {
      if (input.error) { fail(input, input.error); continue; }
      const t0 = Date.now();
      const label = several ? `[${i + 1}/${inputs.length}] ${basename(input.path)} ` : '';
      const result = await picker.pick(resolve(input.path), { ...opts, onProgress: progressBar(label) });
      clearLine();
      if (result.error) { fail(input, result.error, Date.now() - t0); continue; }
      const dir = several ? join(opts.out, names[i]) : opts.out;
      const jsonPath = !several && opts.json ? opts.json : join(dir, 'report.json');
      const { candidates, report, warnings } = writePicks(result, { dir, jsonPath, video: input.path, t0,
        browser: picker.browser, maxWidth: opts.maxWidth });
      for (const w of warnings) console.error(`framepick: ${input.path}: warning: ${w}`);
      const t = report.timings;
      if (several) {
        say(`${input.path}: ${candidates.length} picks in ${(t.totalMs / 1000).toFixed(2)} s → ${dir}`);
      } else {
        for (const c of candidates) {
          say(`${c.time.toFixed(2).padStart(8)} s  score ${c.score.toFixed(3)}  ` +
            `faces ${c.faces.length}  ${join(dir, c.image)}`);
        }
        say(`${candidates.length} picks in ${(t.totalMs / 1000).toFixed(2)} s in the page ` +
          `(${report.framesDecoded} frames decoded, ${report.framesDeep} analysed deeply, ` +
          `${report.threads} threads, ${report.wasm} wasm, quick filter on ${report.gpu?.used ? 'WebGPU' : 'the CPU'}); ` +
          `report: ${jsonPath}`);
      }
      entries.push({ video: resolve(input.path), ok: true, out: dir, json: jsonPath, picks: candidates.length,
        wallMs: report.wallMs });
      emit({ video: resolve(input.path), ok: true, out: dir, json: jsonPath,
        candidates: candidates.map((c) => ({ ...c, path: join(dir, c.image) })), report });
    }
  } finally {
    await picker?.close();
  }
  const failed = entries.filter((e) => !e.ok).length;
  if (several) {
    const summary = { version: VERSION, picked: entries.length - failed, failed, wallMs: Date.now() - tRun,
      ...(picker ? { browserExecutable: picker.browser.executable, browserVersion: picker.browser.version } : {}),
      options: { top: opts.top, niche: opts.niche, format: opts.format, quality: opts.quality,
        maxWidth: opts.maxWidth, crops: opts.crops, interval: opts.interval, decodeBudget: opts.decodeBudget,
        threads: opts.threads, gpu: opts.gpu },
      videos: entries };
    const summaryPath = opts.json || join(opts.out, 'summary.json');
    mkdirSync(dirname(resolve(summaryPath)), { recursive: true });
    writeFileSync(summaryPath, JSON.stringify(summary, null, 2));
    say(`${entries.length} videos: ${entries.length - failed} picked, ${failed} failed; summary: ${summaryPath}`);
  }
  return failed ? 1 : 0;
}

// npx runs us through a symlink in node_modules/.bin.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then((code) => { process.exitCode = code; },
    (e) => { console.error(`framepick: ${e.stack || e}`); process.exitCode = 1; });
}
