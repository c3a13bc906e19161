import { resolve } from 'node:path';
import { startServer } from '/work/main/www/server.mjs';
import { launch } from '/work/main/bench/driver.mjs';
import { descendants, chromiumProcess } from '/work/main/bench/lib.mjs';
const [video, ...modes] = process.argv.slice(2);
for (const spec of modes) {
  const [mode, readback] = spec.split('/');
  const server = await startServer({ root: '/work/main/www', extraRoots: { '/bench/': '/work/main/bench' } });
  const { chromium } = await import('/work/main/node_modules/playwright-core/index.mjs'); const { CHROMIUM_ARGS } = await import('/work/main/bin/framepick.mjs'); const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, ...(process.env.GC ? ['--js-flags=--expose-gc'] : [])] });
  const page = await browser.newPage();
  await page.goto(new URL('bench/decode.html', server.url).href);
  await page.setInputFiles('#file', video);
  const rss = () => Math.max(0, ...descendants().map(chromiumProcess).filter((p) => p && p.type === 'renderer' && !p.webui).map((p) => p.rssKiB / 1024));
  const before = rss(); let peak = before; let stop = false;
  const sampler = (async () => { while (!stop) { peak = Math.max(peak, rss()); await new Promise((r) => setTimeout(r, 100)); } })();
  const r = await page.evaluate((o) => window.decodeBench(o), { mode, readback });
  stop = true; await sampler;
  console.log(spec, 'before', before.toFixed(0), 'peak', peak.toFixed(0), 'decoded', r.framesDecoded, 'targets', r.targets, 'ms', r.wallMs?.toFixed(0), r.error || '');
  await browser.close(); await server.close();
}
