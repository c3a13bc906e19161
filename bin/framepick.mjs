#!/usr/bin/env node
// framepick CLI: runs the real in-browser pipeline (WebCodecs + wasm threads) in
// headless Chromium on a local video file and writes the picks and a JSON report.
//
//   framepick pick VIDEO [--top N] [--niche NAME] [--out DIR] [--json FILE] [--interval S]
//                        [--threads N] [--quality Q] [--gpu | --no-gpu]
//
// Chromium: FRAMEPICK_CHROMIUM or /usr/bin/chromium.
import { existsSync, mkdirSync, writeFileSync, statSync, realpathSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../www/server.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const WWW = resolve(HERE, '../www');
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'];
/**
 * For `--gpu`: WebGPU on SwiftShader (a software adapter; headless Chromium here has no
 * other), with ANGLE and Vulkan on SwiftShader too. Without them the adapter exists but
 * importing a VideoFrame fails (under --disable-gpu) or drops the GPU instance ("A valid
 * external Instance reference no longer exists").
 */
export const GPU_CHROMIUM_ARGS = [...CHROMIUM_ARGS.filter((a) => a !== '--disable-gpu'),
  '--enable-unsafe-webgpu', '--use-angle=swiftshader', '--use-webgpu-adapter=swiftshader',
  '--enable-features=Vulkan', '--use-vulkan=swiftshader'];

const USAGE = `usage: framepick pick VIDEO [--top N] [--niche NAME] [--out DIR] [--json FILE]
                      [--interval S] [--threads N] [--quality 0-1] [--gpu | --no-gpu]
  NAME: general, vlog, gaming, education, tutorial, music, sports
  --gpu: the quick filter on WebGPU (SwiftShader in headless Chromium: slower than the CPU)
  --no-gpu: never WebGPU (default: WebGPU only on a hardware adapter, none headless here)`;

function parseArgs(argv) {
  const [command, video, ...rest] = argv;
  if (command !== 'pick' || !video) return null;
  const opts = { video, top: 10, niche: null, out: 'picks', json: null, interval: null, threads: null,
    quality: 0.9, gpu: 'auto' };
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const value = rest[i + 1];
    const need = () => { if (value === undefined) throw new Error(`${flag} needs a value`); i++; return value; };
    if (flag === '--top') opts.top = Number(need());
    else if (flag === '--niche') opts.niche = need();
    else if (flag === '--out') opts.out = need();
    else if (flag === '--json') opts.json = need();
    else if (flag === '--interval') opts.interval = Number(need());
    else if (flag === '--threads') opts.threads = Number(need());
    else if (flag === '--quality') opts.quality = Number(need());
    else if (flag === '--gpu') opts.gpu = true;
    else if (flag === '--no-gpu') opts.gpu = false;
    else throw new Error(`unknown option ${flag}`);
  }
  if (!(opts.top >= 1)) throw new Error('--top must be a number ≥ 1');
  return opts;
}

function progressBar(p) {
  if (!process.stderr.isTTY) return;
  const width = 30;
  const done = Math.round(p.fraction * width);
  process.stderr.write(`\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ` +
    `${(p.fraction * 100).toFixed(0).padStart(3)} % ${p.stage.padEnd(8)}`);
}

/** Run a pick in headless Chromium; resolves to the page's `{candidates, report}` or `{error}`. */
export async function pickInBrowser(videoPath, { top = 10, niche = null, interval = null, threads = null,
  quality = 0.9, gpu = 'auto', onProgress = () => {} } = {}) {
  const server = await startServer({ root: WWW });
  const browser = await chromium.launch({
    executablePath: process.env.FRAMEPICK_CHROMIUM || '/usr/bin/chromium',
    args: gpu === true ? GPU_CHROMIUM_ARGS : CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage();
    const consoleLines = [];
    page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
    await page.addInitScript(() => { window.__framepickDriven = true; });
    await page.exposeFunction('__framepickProgress', onProgress);
    await page.goto(new URL(`index.html${threads ? `?threads=${threads}` : ''}`, server.url).href);
    const info = await page.evaluate(() => window.framepickDemo.ready());
    await page.setInputFiles('#file', videoPath);
    const options = { top, quality, gpu, ...(niche ? { niche } : {}),
      ...(interval ? { sampleInterval: interval } : {}) };
    const result = await page.evaluate((o) => window.framepickDemo.pickFromInput(o), options);
    if (process.env.FRAMEPICK_DEBUG) console.error(consoleLines.join('\n'));
    return { ...result, info };
  } finally {
    await browser.close();
    await server.close();
  }
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`framepick: ${e.message}\n${USAGE}`);
    process.exit(2);
  }
  if (!opts) { console.error(USAGE); process.exit(2); }
  if (!existsSync(opts.video) || !statSync(opts.video).isFile()) {
    console.error(`framepick: no such file: ${opts.video}`);
    process.exit(2);
  }
  const t0 = Date.now();
  const result = await pickInBrowser(resolve(opts.video), { ...opts, onProgress: progressBar });
  if (process.stderr.isTTY) process.stderr.write('\n');
  if (result.error) {
    console.error(`framepick: ${result.error.code}: ${result.error.message}`);
    process.exit(1);
  }
  mkdirSync(opts.out, { recursive: true });
  const candidates = result.candidates.map((c, i) => {
    const ext = c.image.type === 'image/webp' ? 'webp' : 'jpg';
    const file = `pick-${String(i + 1).padStart(2, '0')}-${c.time.toFixed(2)}s.${ext}`;
    writeFileSync(join(opts.out, file), Buffer.from(c.image.base64, 'base64'));
    const { image, ...rest } = c;
    return { ...rest, image: file };
  });
  const report = { ...result.report, video: resolve(opts.video), wallMs: Date.now() - t0,
    browser: result.info };
  const json = JSON.stringify({ candidates, report }, null, 2);
  writeFileSync(opts.json || join(opts.out, 'report.json'), json);
  for (const c of candidates) {
    console.log(`${c.time.toFixed(2).padStart(8)} s  score ${c.score.toFixed(3)}  ` +
      `faces ${c.faces.length}  ${join(opts.out, c.image)}`);
  }
  const t = report.timings;
  console.log(`${candidates.length} picks in ${(t.totalMs / 1000).toFixed(2)} s in the page ` +
    `(${report.framesDecoded} frames decoded, ${report.framesDeep} analysed deeply, ` +
    `${report.threads} threads, ${report.wasm} wasm, quick filter on ${report.gpu?.used ? 'WebGPU' : 'the CPU'}); report: ${opts.json || join(opts.out, 'report.json')}`);
}

// npx runs us through a symlink in node_modules/.bin.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => { console.error(`framepick: ${e.stack || e}`); process.exit(1); });
}
