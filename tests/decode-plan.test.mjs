// The decode plan under a budget (issue 14) and the full-size hold, in headless Chromium
// on real files: a long-GOP H.264 video costs what the budget allows, not the whole GOP,
// and picks held while decoding come out as the same pictures a second decode gives.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDemoPage } from './demo-page.mjs';

const DIR = mkdtempSync(join(tmpdir(), 'framepick-plan-'));
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

test('a hold of a few bytes holds nothing and still returns every pick', async () => {
  const r = await pick(longGop, { top: 4, holdBytes: 1000 });
  assert.ok(!r.error, JSON.stringify(r.error));
  assert.equal(r.report.hold.held, 0);
  assert.equal(r.report.hold.picksFromHold, 0);
  assert.equal(r.candidates.length, 4);
});
