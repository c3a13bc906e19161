// The decode plan under a budget (issue 14), the full-size hold and the copyTo path of
// the quick filter, in headless Chromium on real files: a long-GOP H.264 video costs what
// the budget allows, not the whole GOP; picks held while decoding come out as the same
// pictures a second decode gives; frames scaled in wasm from copyTo measure as frames
// drawn on a canvas do.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDemoPage } from './demo-page.mjs';

const DIR = mkdtempSync(join(tmpdir(), 'framepick-plan-'));
// The shared fixtures (tests/make_videos.sh makes them once and prints their folder).
const VIDEOS = execFileSync('bash', [resolve(dirname(fileURLToPath(import.meta.url)), 'make_videos.sh')])
  .toString().trim();
let page;
let closeDemo;
let longGop;

/** 30 s, 640×360, one keyframe at the start only (a screen recorder's GOP), B-frames. */
function makeLongGop() {
  const out = join(DIR, 'long-gop.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30:duration=30',
    '-c:v', 'libx264', '-preset', 'veryfast', '-g', '900', '-sc_threshold', '0', '-bf', '2', '-pix_fmt', 'yuv420p', out]);
  return out;
}

before(async () => {
  longGop = makeLongGop();
  ({ page, close: closeDemo } = await openDemoPage());
});

after(() => closeDemo?.());

async function pick(file, options) {
  await page.setInputFiles('#file', file);
  return page.evaluate(async (o) => {
    try {
      const { candidates, report } = await window.picker.pick(document.getElementById('file').files[0], o);
      const bytes = await Promise.all(candidates.map(async (c) => Array.from(new Uint8Array(await c.blob.arrayBuffer()))));
      return { candidates: candidates.map((c, i) => ({ ptsUs: c.ptsUs, bytes: bytes[i] })), report };
    } catch (e) {
      return { error: { code: e.code, message: e.message } };
    }
  }, options);
}

test('a one-GOP video costs what the budget allows, and says so before decoding', async () => {
  const tight = await pick(longGop, { top: 6, decodeBudget: 10, holdBytes: 0 });
  assert.ok(!tight.error, JSON.stringify(tight.error));
  const plan = tight.report.decodePlan;
  // 30 s of 640×360 at 10 units a minute: 4 minutes' worth (40) × 4 for the small frame.
  assert.equal(plan.budget, 160);
  assert.ok(plan.coarse.units + plan.dense.units <= plan.budget, JSON.stringify(plan));
  assert.ok(tight.report.framesDecodedPass1 + tight.report.framesDecodedPass2 <= plan.budget);
  assert.ok(tight.candidates.length > 0);

  const all = await pick(longGop, { top: 6, decodeBudget: Infinity, holdBytes: 0 });
  assert.ok(!all.error, JSON.stringify(all.error));
  assert.equal(all.report.decodePlan.budget, null);
  // Unbounded, the coarse grid runs through most of the single GOP.
  assert.ok(all.report.decodePlan.coarse.frames > 600, JSON.stringify(all.report.decodePlan));
  assert.ok(all.report.framesDecoded > 2 * tight.report.framesDecoded);
});

test('picks held at full size are the pictures a second decode gives', async () => {
  const held = await pick(longGop, { top: 6 });
  const decoded = await pick(longGop, { top: 6, holdBytes: 0 });
  assert.ok(!held.error && !decoded.error, JSON.stringify(held.error || decoded.error));
  assert.ok(held.report.hold.picksFromHold > 0, JSON.stringify(held.report.hold));
  assert.equal(decoded.report.hold, null);
  assert.ok(held.report.hold.peakBytes <= held.report.hold.maxBytes + 640 * 360 * 2);
  // The hold changes no choice, and a held pick encodes to the same JPEG bytes.
  assert.deepEqual(held.candidates.map((c) => c.ptsUs), decoded.candidates.map((c) => c.ptsUs));
  for (const [i, c] of held.candidates.entries()) {
    assert.deepEqual(c.bytes, decoded.candidates[i].bytes, `pick ${i} at ${c.ptsUs} µs`);
  }
  // Fewer frames decoded: the held picks were not decoded again.
  assert.ok(held.report.framesDecoded < decoded.report.framesDecoded);
});

test('decode options that are not numbers are refused with INVALID_ARGUMENT', async () => {
  for (const bad of [{ decodeBudget: 'fast' }, { decodeBudget: 0 }, { decodeBudget: NaN }, { denseTolerance: -1 },
    { holdBytes: '64MB' }]) {
    const r = await pick(longGop, { top: 2, ...bad });
    assert.equal(r.error?.code, 'INVALID_ARGUMENT', JSON.stringify(bad));
    assert.match(r.error.message, new RegExp(Object.keys(bad)[0]));
  }
});

test('a hold of a few bytes holds nothing and still returns every pick', async () => {
  const r = await pick(longGop, { top: 4, holdBytes: 1000 });
  assert.ok(!r.error, JSON.stringify(r.error));
  assert.equal(r.report.hold.held, 0);
  assert.equal(r.report.hold.picksFromHold, 0);
  assert.equal(r.candidates.length, 4);
});

test('frames scaled in wasm from copyTo measure as frames drawn on a canvas', async () => {
  const rotated = join(DIR, 'rotated.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', join(VIDEOS, 'face.mp4'), '-c', 'copy',
    '-metadata:s:v:0', 'rotate=90', rotated]);
  // Measured: within 0.005 brightness, 0.015 sharpness, 0.3 noise σ; uniformity up to
  // 0.022 on testsrc2's saturated bars.
  const tolerance = { brightness: 0.01, contrast: 0.01, sharpness: 0.03, uniformity: 0.03, noise: 0.5 };
  for (const file of [join(VIDEOS, 'face.mp4'), join(VIDEOS, 'spoiled.mp4'), longGop, rotated]) {
    await page.setInputFiles('#file', file);
    const r = await page.evaluate(() => window.picker.inspectFrames(document.getElementById('file').files[0],
      [0.4, 1.7, 3.1, 4.6], { metrics: true }));
    assert.ok(r.frames.length > 0);
    for (const f of r.frames) {
      // `yuv`: copyTo RGBA (the browser converts) then the box downscale in wasm; `planar`:
      // the fallback, I420 converted in wasm.
      assert.ok(f.cpu && f.yuv && f.planar, `${file} at ${f.time}: every path measured`);
      assert.equal(f.copiedAs, 'RGBA', 'this Chromium converts in copyTo');
      for (const path of ['yuv', 'planar']) {
        for (const [k, tol] of Object.entries(tolerance)) {
          assert.ok(Math.abs(f.cpu[k] - f[path][k]) <= tol,
            `${file} at ${f.time}: ${path} ${k} ${f.cpu[k]} vs ${f[path][k]}`);
        }
        assert.equal(f[path].rejection, f.cpu.rejection, `${file} at ${f.time}: ${path}`);
      }
    }
  }
});

test('pictures over 1440p are copied as decoded, measure as drawn on a canvas, and pick', async () => {
  // 2880×1620 (4.7 MP): an RGBA copy would be 18.7 MB a frame, I420 is 7 MB.
  const large = join(DIR, 'large.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-t', '3', '-i', join(VIDEOS, 'face.mp4'), '-vf', 'scale=2880:1620',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-pix_fmt', 'yuv420p', large]);
  // Sharpness: at this 9× downscale Chromium's canvas and the box mean in wasm differ by
  // about 0.04 whichever copy feeds the box (measured at 0.4 s: canvas 0.877, RGBA copy
  // 0.916, I420 copy 0.916), so the bound is wider than for 1080p above.
  const tolerance = { brightness: 0.01, contrast: 0.01, sharpness: 0.06, uniformity: 0.03, noise: 0.5 };
  await page.setInputFiles('#file', large);
  const r = await page.evaluate(() => window.picker.inspectFrames(document.getElementById('file').files[0],
    [0.4, 1.7, 2.6], { metrics: true }));
  assert.equal(r.frames.length, 3);
  for (const f of r.frames) {
    assert.equal(f.copiedAs, 'I420', `at ${f.time}: copied as decoded, not converted to RGBA`);
    for (const [k, tol] of Object.entries(tolerance)) {
      assert.ok(Math.abs(f.cpu[k] - f.yuv[k]) <= tol, `at ${f.time}: ${k} ${f.cpu[k]} vs ${f.yuv[k]}`);
    }
    assert.equal(f.yuv.rejection, f.cpu.rejection, `at ${f.time}`);
  }
  const picked = await pick(large, { top: 2, gpu: false });
  assert.ok(!picked.error, JSON.stringify(picked.error));
  assert.equal(picked.report.framesFromYuv, picked.report.framesSampled);
  assert.equal(picked.candidates.length, 2);
  assert.equal(picked.report.width, 2880);
});

test('lowMemory (the default): a pick measures its frames from copyTo, with the canvas path\'s verdicts', async () => {
  const low = await pick(longGop, { top: 3, gpu: false });
  assert.ok(!low.error, JSON.stringify(low.error));
  assert.equal(low.report.framesFromYuv, low.report.framesSampled);
  const canvas = await pick(longGop, { top: 3, gpu: false, lowMemory: false });
  assert.equal(canvas.report.framesFromYuv, 0);
  // The same verdicts; which of testsrc2's near-identical frames ranks first may differ.
  assert.equal(low.report.framesRejected, canvas.report.framesRejected);
  assert.equal(low.candidates.length, canvas.candidates.length);
});
