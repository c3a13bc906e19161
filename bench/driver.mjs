// A driver like bin/framepick.mjs's pickInBrowser (same server, Chromium flags and page
// sequence), plus memory sampling while the pick runs:
//  - page main thread: CDP Performance.getMetrics JSHeapUsedSize/JSHeapTotalSize;
//  - the pick worker (and the rayon workers below it): CDP Runtime.getHeapUsage through
//    Target auto-attach, and the size of every WebAssembly.Memory in it at the end
//    (wasm memory never shrinks, so its size at the end is its peak);
//  - the Chromium processes (renderer, GPU, utility, browser): RSS and PSS from /proc,
//    found as the descendants of this Node process.
// Samples every `everyMs` (200 ms).
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../www/server.mjs';
import { CHROMIUM_ARGS } from '../bin/framepick.mjs';
import { descendants, chromiumProcess } from './lib.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const WWW = resolve(HERE, '../www');

export async function launch() {
  return chromium.launch({ executablePath: process.env.FRAMEPICK_CHROMIUM || '/usr/bin/chromium',
    args: CHROMIUM_ARGS });
}

/** Worker targets through the page's CDP session, old-style (non-flattened) messages. */
async function attachWorkers(cdp) {
  const sessions = new Map(); // sessionId → {type, url}
  let nextId = 1;
  const pending = new Map();
  cdp.on('Target.attachedToTarget', ({ sessionId, targetInfo }) => {
    sessions.set(sessionId, targetInfo);
  });
  cdp.on('Target.detachedFromTarget', ({ sessionId }) => sessions.delete(sessionId));
  cdp.on('Target.receivedMessageFromTarget', ({ sessionId, message }) => {
    const m = JSON.parse(message);
    if (m.id && pending.has(m.id)) {
      const { ok, fail } = pending.get(m.id);
      pending.delete(m.id);
      if (m.error) fail(new Error(m.error.message)); else ok(m.result);
    } else if (m.method === 'Target.attachedToTarget') {
      // a worker started by the worker (rayon threads)
      sessions.set(m.params.sessionId, { ...m.params.targetInfo, parent: sessionId });
    }
  });
  const send = (sessionId, method, params = {}) => new Promise((ok, fail) => {
    const id = nextId++;
    pending.set(id, { ok, fail });
    const info = sessions.get(sessionId);
    const message = JSON.stringify({ id, method, params });
    const p = info?.parent
      ? cdp.send('Target.sendMessageToTarget', { sessionId: info.parent,
        message: JSON.stringify({ id: nextId++, method: 'Target.sendMessageToTarget', params: { sessionId, message } }) })
      : cdp.send('Target.sendMessageToTarget', { sessionId, message });
    p.catch(fail);
    setTimeout(() => { if (pending.delete(id)) fail(new Error(`${method}: timeout`)); }, 5000);
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  return { sessions, send };
}

/**
 * One pick with memory sampling. Resolves {result, info, wallMs, memory}.
 * `result` is the page's {candidates, report} (or {error}).
 */
export async function pickWithMemory(videoPath, { top = 10, threads = null, quality = 0.9, everyMs = 200,
  extra = {} } = {}) {
  const server = await startServer({ root: WWW });
  const browser = await launch();
  const samples = [];
  let stop = false;
  try {
    const page = await browser.newPage();
    await page.addInitScript(() => {
      window.__framepickDriven = true;
      // When the pick itself ended (its last progress event), before the demo page shows
      // the picks (decoding ten full-size JPEGs into <img>s is the page's memory, not the pick's).
      window.__framepickProgress = (p) => {
        if (p.stage === 'encode' && p.fraction === 1) window.__framepickPickedAt = Date.now();
      };
    });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const workers = await attachWorkers(cdp).catch((e) => ({ error: e.message }));
    await page.goto(new URL(`index.html${threads ? `?threads=${threads}` : ''}`, server.url).href);
    const info = await page.evaluate(() => window.framepickDemo.ready());
    await page.setInputFiles('#file', videoPath);

    const workerHeap = async () => {
      if (!workers.sessions) return null;
      let used = 0; let n = 0;
      for (const [sid, t] of workers.sessions) {
        if (t.type !== 'worker') continue;
        try { used += (await workers.send(sid, 'Runtime.getHeapUsage')).usedSize; n++; } catch { /* gone */ }
      }
      return n ? used : null;
    };
    const sampleOnce = async () => {
      const t = performance.now();
      const m = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((x) => [x.name, x.value]));
      const procs = descendants().map(chromiumProcess).filter(Boolean);
      const sum = (f) => procs.reduce((a, p) => a + (f(p) || 0), 0);
      samples.push({
        t, wall: Date.now(),
        pageJsHeapUsed: m.JSHeapUsedSize, pageJsHeapTotal: m.JSHeapTotalSize,
        workerJsHeapUsed: await workerHeap(),
        // the page's renderer: the biggest renderer that is not Chromium's own UI
        rendererRss: Math.max(0, ...procs.filter((p) => p.type === 'renderer' && !p.webui).map((p) => p.rssKiB * 1024)),
        rendererPss: Math.max(0, ...procs.filter((p) => p.type === 'renderer' && !p.webui).map((p) => (p.pssKiB || 0) * 1024)),
        gpuRss: sum((p) => p.type === 'gpu-process' && p.rssKiB * 1024),
        allRss: sum((p) => p.rssKiB * 1024),
        processes: procs.length,
      });
    };
    await sampleOnce();
    const sampler = (async () => {
      while (!stop && everyMs > 0) {
        const t0 = Date.now();
        await sampleOnce().catch(() => {});
        await new Promise((ok) => setTimeout(ok, Math.max(0, everyMs - (Date.now() - t0))));
      }
    })();
    const t0 = performance.now();
    const result = await page.evaluate((o) => window.framepickDemo.pickFromInput(o), { top, quality, ...extra });
    const wallMs = performance.now() - t0;
    const pickedAt = await page.evaluate(() => window.__framepickPickedAt ?? null);
    stop = true;
    await sampler;
    await sampleOnce();

    // Wasm memory of the pick worker: every WebAssembly.Memory it holds.
    let wasmMemory = null;
    if (workers.sessions) {
      for (const [sid, t] of workers.sessions) {
        if (t.type !== 'worker' || t.parent) continue;
        try {
          const proto = await workers.send(sid, 'Runtime.evaluate', { expression: 'WebAssembly.Memory.prototype' });
          const q = await workers.send(sid, 'Runtime.queryObjects', { prototypeObjectId: proto.result.objectId });
          const sizes = await workers.send(sid, 'Runtime.callFunctionOn', { objectId: q.objects.objectId,
            functionDeclaration: 'function () { return this.map((m) => m.buffer.byteLength); }', returnByValue: true });
          wasmMemory = (wasmMemory || 0) + sizes.result.value.reduce((a, b) => a + b, 0);
        } catch (e) { if (!wasmMemory) wasmMemory = null; }
      }
    }
    const peak = (k, within = samples) => within.reduce((a, s) => (s[k] > a ? s[k] : a), 0) || null;
    // Samples up to the pick's end (the next one, ≤ 200 ms later, already sees the demo
    // page decoding the ten JPEGs it shows).
    const duringPick = pickedAt === null ? [] : samples.filter((s) => s.wall <= pickedAt);
    const memory = {
      samples: samples.length, everyMs,
      peakPageJsHeapUsed: peak('pageJsHeapUsed'),
      peakWorkerJsHeapUsed: peak('workerJsHeapUsed'),
      wasmMemoryEnd: wasmMemory,
      peakRendererRss: peak('rendererRss'), peakRendererPss: peak('rendererPss'),
      // The renderer's peak until the picks were ready (without the demo page showing them).
      peakRendererRssPick: peak('rendererRss', duringPick),
      peakGpuRss: peak('gpuRss'), peakAllRss: peak('allRss'),
      rendererRssBefore: samples[0]?.rendererRss ?? null,
      workerTargets: workers.sessions ? [...workers.sessions.values()].filter((t) => t.type === 'worker').length : 0,
      workerAttachError: workers.error || null,
    };
    return { result, info, wallMs, memory, series: samples, pickedAt };
  } finally {
    stop = true;
    await browser.close();
    await server.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await pickWithMemory(resolve(process.argv[2]), { threads: Number(process.argv[3]) || null });
  const { candidates, ...rest } = r.result;
  console.log(JSON.stringify({ picks: candidates?.map((c) => c.time), report: rest.report || rest, info: r.info,
    wallMs: r.wallMs, memory: r.memory }, null, 1));
}
