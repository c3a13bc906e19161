// Streaming: a 2 GB+ MP4 (one short GOP-aligned clip repeated with -c copy, filler NALs
// for size) is picked from without reading it whole and with memory that stays small; a
// 4.2 GiB MP4 with 64-bit chunk offsets (a sparse file, tests/sparse-mp4.mjs) gives the
// same picks as the small file it was made from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../www/server.mjs';
import { CHROMIUM_ARGS } from '../bin/framepick.mjs';
import { openDemoPage } from './demo-page.mjs';
import { writeSparseMp4 } from './sparse-mp4.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const GiB = 2 ** 30;

test('a 2 GB file is streamed: a few MB read, wasm memory and JS heap stay small', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'framepick-large-'));
  try {
    const clip = join(dir, 'clip.mp4');
    const big = join(dir, 'big.mp4');
    // 2 s, 320×240, constant 40 Mbit/s (filler data): 10 MB a loop.
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25',
      '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-b:v', '40M', '-minrate', '40M',
      '-maxrate', '40M', '-bufsize', '4M', '-x264-params', 'nal-hrd=cbr', clip], { stdio: 'pipe' });
    const loops = Math.ceil((2.1 * GiB) / statSync(clip).size);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', String(loops - 1), '-i', clip,
      '-c', 'copy', big], { stdio: 'pipe' });
    const size = statSync(big).size;
    assert.ok(size > 2 * GiB, `${size} bytes`);

    const server = await startServer({ root: join(ROOT, 'www') });
    const browser = await chromium.launch({
      executablePath: process.env.FRAMEPICK_CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      await page.addInitScript(() => { window.__framepickDriven = true; });
      await page.goto(new URL('index.html', server.url).href);
      await page.evaluate(() => window.framepickDemo.ready());
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      let peakHeap = 0;
      const sampler = setInterval(async () => {
        const { metrics } = await cdp.send('Performance.getMetrics').catch(() => ({ metrics: [] }));
        const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value || 0;
        peakHeap = Math.max(peakHeap, heap);
      }, 200);
      await page.setInputFiles('#file', big);
      const r = await page.evaluate(() => window.framepickDemo.pickFromInput({ top: 3 }));
      clearInterval(sampler);
      assert.equal(r.error, undefined, JSON.stringify(r.error));
      assert.equal(r.candidates.length, 3);
      const rep = r.report;
      console.log(`streamed ${rep.fileBytes} B: read ${rep.bytesRead} B in ${rep.rangeReads} ranges, wasm ${rep.wasmMemoryBytes} B, page heap peak ${peakHeap} B, ${rep.framesCoarse} coarse + ${rep.framesDense} dense frames, ${rep.timings.totalMs.toFixed(0)} ms`);
      assert.equal(rep.fileBytes, size);
      assert.ok(rep.bytesRead < size / 10, `read ${rep.bytesRead} of ${size} bytes`);
      assert.ok(rep.wasmMemoryBytes < 256 * 2 ** 20, `wasm memory ${rep.wasmMemoryBytes}`);
      assert.ok(peakHeap < 128 * 2 ** 20, `page JS heap peaked at ${peakHeap}`);
      assert.ok(rep.durationS > 400, `duration ${rep.durationS}`); // 215 loops of 2 s
      assert.ok(rep.framesCoarse <= 260, `coarse frames ${rep.framesCoarse}`);
    } finally {
      await browser.close();
      await server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a 4.2 GiB file with 64-bit chunk offsets gives the same picks as the small file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'framepick-co64-'));
  const { page, close } = await openDemoPage();
  try {
    const small = join(dir, 'small.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25',
      '-f', 'lavfi', '-i', 'sine=f=440:r=44100', '-t', '8', '-c:v', 'libx264', '-preset', 'ultrafast',
      '-g', '25', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', small], { stdio: 'pipe' });
    const big = join(dir, 'big.mp4');
    const { size, firstOffset } = writeSparseMp4(small, big, Math.round(4.2 * GiB));
    assert.ok(firstOffset > 2 ** 32 && statSync(big).size === size && size > 4 * GiB);
    const pick = async (file) => {
      await page.setInputFiles('#file', file);
      return page.evaluate(async () => {
        try {
          const r = await window.picker.pick(document.getElementById('file').files[0], { top: 3 });
          return { times: r.candidates.map((c) => c.ptsUs), scores: r.candidates.map((c) => c.score),
            report: r.report };
        } catch (e) {
          return { error: { code: e.code, message: e.message } };
        }
      });
    };
    const a = await pick(small);
    const b = await pick(big);
    assert.equal(a.error, undefined, JSON.stringify(a.error));
    assert.equal(b.error, undefined, JSON.stringify(b.error));
    console.log(`4.2 GiB: read ${b.report.bytesRead} of ${b.report.fileBytes} B in ${b.report.rangeReads} ranges; picks at ${b.times} µs`);
    assert.equal(b.report.fileBytes, size);
    assert.ok(b.report.bytesRead < 16 * 2 ** 20, `read ${b.report.bytesRead} B`);
    // The same frames decoded from bytes past 4 GiB: same picks, same scores, same sound.
    assert.equal(a.times.length, 3);
    assert.deepEqual(b.times, a.times);
    assert.deepEqual(b.scores, a.scores);
    assert.equal(b.report.framesCoarse, a.report.framesCoarse);
    assert.equal(b.report.audio.used, true, JSON.stringify(b.report.audio));
    assert.equal(b.report.audio.blocksDecoded, a.report.audio.blocksDecoded);
  } finally {
    await close();
    rmSync(dir, { recursive: true, force: true });
  }
});
