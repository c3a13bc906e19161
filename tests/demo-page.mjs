// The browser side shared by the node test suites: headless Chromium on the demo page,
// served by www/server.mjs, with `window.picker` created. Call from `before`, and
// `close()` from `after`.
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../www/server.mjs';
import { CHROMIUM_ARGS } from '../bin/framepick.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** `{ browser, server, page, close }` with `window.picker = await FramePicker.create()`. */
export async function openDemoPage({ args = CHROMIUM_ARGS } = {}) {
  const browser = await chromium.launch({
    executablePath: process.env.FRAMEPICK_CHROMIUM || '/usr/bin/chromium', args });
  const server = await startServer({ root: join(ROOT, 'www') });
  const page = await browser.newPage();
  await page.addInitScript(() => { window.__framepickDriven = true; });
  await page.goto(new URL('index.html', server.url).href);
  await page.evaluate(async () => {
    const { FramePicker } = await import('./framepick.js');
    window.picker = await FramePicker.create();
  });
  const close = async () => {
    await browser.close();
    await server.close();
  };
  return { browser, server, page, close };
}
