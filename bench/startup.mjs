// Start-up and download (issue 15): what a first pick fetches, gzip and brotli bytes of each
// file, and FramePicker.create() → ready, cold (empty HTTP cache) and warm (the same browser
// profile again: files revalidated with 304, compiled wasm from Chromium's code cache).
import { readFileSync } from 'node:fs';
import { resolve, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { startServer } from '../www/server.mjs';
import { launch } from './driver.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const WWW = resolve(HERE, '../www');

/** `create()` in a fresh page of `context`: ms to ready, and the URLs it requested. */
async function createOnce(context, url, threads) {
  const page = await context.newPage();
  const requested = new Set();
  // On the context, not the page: the workers' requests (wasm, models) count too.
  const onRequest = (r) => requested.add(r.url());
  context.on('request', onRequest);
  try {
    await page.goto(url);
    const r = await page.evaluate(async (n) => {
      const t0 = performance.now();
      const { FramePicker } = await import('/framepick.js');
      const picker = await FramePicker.create({ threads: n });
      const ms = performance.now() - t0;
      const info = picker.info;
      picker.dispose();
      return { ms, flavour: info.flavour, threads: info.threads, faceModel: info.faceModel,
        emotionModel: info.emotionModel };
    }, threads);
    return { ...r, requested: [...requested] };
  } finally {
    context.off('request', onRequest);
    await page.close();
  }
}

/** Bytes of each same-origin file a start-up fetched: raw, gzip -9 and brotli 11. */
function downloadSizes(urls, origin) {
  const files = [];
  for (const u of new Set(urls)) {
    if (!u.startsWith(origin)) continue;
    const path = new URL(u).pathname;
    if (path.startsWith('/bench/')) continue; // the bench page itself
    const bytes = readFileSync(join(WWW, decodeURIComponent(path)));
    files.push({ path, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length,
      brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length });
  }
  files.sort((a, b) => b.raw - a.raw);
  const total = (k) => files.reduce((a, f) => a + f[k], 0);
  return { files, raw: total('raw'), gzip: total('gzip'), brotli: total('brotli') };
}

export async function startup({ threads = 2, warmRuns = 3 } = {}) {
  const server = await startServer({ root: WWW, extraRoots: { '/bench/': HERE } });
  const browser = await launch();
  try {
    const url = new URL('bench/startup.html', server.url).href;
    const out = {};
    for (const [flavour, n] of [['threads', threads], ['single', 1]]) {
      const context = await browser.newContext();
      const cold = await createOnce(context, url, n);
      const warm = [];
      for (let i = 0; i < warmRuns; i++) warm.push((await createOnce(context, url, n)).ms);
      await context.close();
      warm.sort((a, b) => a - b);
      out[flavour] = { flavour: cold.flavour, threads: cold.threads, faceModel: cold.faceModel,
        emotionModel: cold.emotionModel, coldMs: cold.ms, warmMs: { median: warm[warm.length >> 1],
          min: warm[0], max: warm.at(-1) }, download: downloadSizes(cold.requested, server.url.replace(/\/$/, '')) };
    }
    return out;
  } finally {
    await browser.close();
    await server.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await startup(), null, 1));
}
