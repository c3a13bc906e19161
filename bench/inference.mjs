// Drives bench/inference.html in headless Chromium; resolves the worker's result.
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../www/server.mjs';
import { launch } from './driver.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));

export async function wasmInference({ flavour = 'single', threads = 2, frames = 24 } = {}) {
  const server = await startServer({ root: resolve(HERE, '../www'),
    extraRoots: { '/bench/': HERE, '/fixtures/': resolve(HERE, '../tests/fixtures') } });
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(new URL(`bench/inference.html?flavour=${flavour}&threads=${threads}&frames=${frames}`, server.url).href);
    const r = await page.evaluate(() => window.benchResult);
    if (r.error) throw new Error(`wasm inference (${flavour}): ${r.error} ${errors.join('; ')}`);
    return r;
  } finally {
    await browser.close();
    await server.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const flavour of ['single', 'threads']) console.log(JSON.stringify(await wasmInference({ flavour })));
}
