// The frame source on real files: one colour per second, encoded every way the
// browser and framepick should handle, decoded in headless Chromium through the same
// path picks take; each frame must show the colour of its second.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDemoPage } from './demo-page.mjs';

const COLOURS = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0], [255, 0, 255], [0, 255, 255]];
const DIR = mkdtempSync(join(tmpdir(), 'framepick-frames-'));

/** 6 s, 320×240, 30 fps: second k is COLOURS[k]. */
function colourSource(extraFilter = '') {
  const parts = COLOURS.map((c, k) =>
    `color=c=0x${c.map((v) => v.toString(16).padStart(2, '0')).join('')}:s=320x240:r=30:d=1[c${k}]`);
  const inputs = COLOURS.map((_, k) => `[c${k}]`).join('');
  return ['-filter_complex', `${parts.join(';')};${inputs}concat=n=${COLOURS.length}:v=1:a=0,format=yuv420p${extraFilter}`];
}

function make(name, encode, extraFilter) {
  const out = join(DIR, name);
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...colourSource(extraFilter), ...encode, out], { stdio: 'pipe' });
  return out;
}

const h264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-g', '30', '-bf', '2'];
const FILES = {
  'H.264 MP4, moov at the end': () => make('h264.mp4', h264),
  'H.264 MP4, faststart': () => make('h264-fast.mp4', [...h264, '-movflags', '+faststart']),
  'H.264 fragmented MP4': () => make('h264-frag.mp4', [...h264, '-movflags', 'frag_keyframe+empty_moov']),
  'VP8 WebM': () => make('vp8.webm', ['-c:v', 'libvpx', '-b:v', '500k', '-g', '30']),
  'VP9 WebM': () => make('vp9.webm', ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '500k', '-g', '30']),
  'AV1 MP4': () => make('av1.mp4', ['-c:v', 'libsvtav1', '-preset', '12', '-g', '30']),
  'AV1 WebM': () => make('av1.webm', ['-c:v', 'libsvtav1', '-preset', '12', '-g', '30']),
  // Drop every 5th and some 7th frames, keeping their timestamps: irregular gaps.
  'H.264 variable frame rate': () => make('vfr.mp4', [...h264, '-vsync', 'vfr'],
    ",select='not(eq(mod(n\\,5)\\,1))*not(eq(mod(n\\,7)\\,3))'"),
};

let page;
let closeDemo;

before(async () => {
  ({ page, close: closeDemo } = await openDemoPage());
});

after(() => closeDemo?.());

async function inspect(file, times) {
  await page.setInputFiles('#file', file);
  return page.evaluate(async (t) => {
    try {
      return await window.picker.inspectFrames(document.getElementById('file').files[0], t);
    } catch (e) {
      return { error: { code: e.code, message: e.message } };
    }
  }, times);
}

const near = (a, b) => a.every((v, i) => Math.abs(v - b[i]) <= 40);

for (const [label, makeFile] of Object.entries(FILES)) {
  test(`${label}: every frame shows its second's colour`, async () => {
    const file = makeFile();
    const times = [0.1, 0.5, 1.5, 2.2, 3.5, 4.9, 5.5];
    const r = await inspect(file, times);
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    assert.equal(r.frames.length, times.length);
    for (const [i, f] of r.frames.entries()) {
      assert.ok(Math.abs(f.time - times[i]) < 0.1, `${label}: asked ${times[i]} s, got ${f.time} s`);
      const want = COLOURS[Math.floor(f.time)];
      assert.ok(f.rgb && near(f.rgb, want), `${label} at ${f.time} s: ${f.rgb} vs ${want}`);
    }
    // Only what is needed is decoded: at most from each target's keyframe.
    assert.ok(r.framesDecoded <= 180, `${label}: decoded ${r.framesDecoded}`);
  });
}

test('keyframe-only requests decode only keyframes', async () => {
  const file = join(DIR, 'h264.mp4');
  const r = await inspect(file, [0, 1, 2, 3, 4, 5]); // GOP 30 at 30 fps: keyframes at whole seconds
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  assert.ok(r.frames.every((f) => f.keyframe));
  assert.equal(r.framesDecoded, 6);
  for (const f of r.frames) assert.ok(near(f.rgb, COLOURS[Math.round(f.time)]), `${f.time}: ${f.rgb}`);
});

// Frame n (of 16, one GOP) is a flat colour of its own (red up, green down by about 16
// a frame), with a small moving inset (1/64 of the frame) so that x264 uses B-frames: 7
// of the 16 are non-reference pictures, which the decoder is not fed on the way to a
// wanted frame. Asking for every frame feeds them all (each is wanted); asking for some
// skips the others' non-reference pictures. Every frame asked for must come out exactly
// as in the full decode, and unlike its neighbours.
test('H.264 with B-frames: non-reference pictures are skipped, and every frame still decodes to itself', async () => {
  const file = join(DIR, 'indexed.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=black:s=320x240:r=30:d=0.6',
    '-f', 'lavfi', '-i', 'testsrc2=s=40x30:r=30', '-filter_complex',
    "[0]geq=r='16*N':g='255-16*N':b='128'[bg];[bg][1]overlay=280:210,format=yuv420p", '-frames:v', '16',
    '-c:v', 'libx264', '-preset', 'veryfast', '-bf', '3', '-g', '64', '-crf', '10', file], { stdio: 'pipe' });
  const byFrame = (r) => new Map(r.frames.map((f) => [Math.round(f.time * 30), f.rgb]));
  const all = await inspect(file, Array.from({ length: 16 }, (_, n) => n / 30));
  assert.equal(all.error, undefined, JSON.stringify(all.error));
  assert.equal(all.framesSkipped, 0);
  assert.equal(all.framesDecoded, 16);
  const full = byFrame(all);

  const indices = [2, 4, 5, 8, 10, 11, 13, 15]; // 5 and 11 are non-reference B-frames themselves
  const r = await inspect(file, indices.map((n) => n / 30));
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  assert.ok(r.framesSkipped >= 3, `${r.framesSkipped} skipped, ${r.framesDecoded} decoded`);
  assert.ok(r.framesDecoded + r.framesSkipped <= 16 && r.framesDecoded <= 12, `${r.framesDecoded} decoded`);
  const dist = (a, b) => Math.max(...a.map((v, c) => Math.abs(v - b[c])));
  const got = byFrame(r);
  for (const n of indices) {
    const rgb = got.get(n);
    assert.ok(rgb, `frame ${n} missing: ${JSON.stringify(r.frames)}`);
    assert.ok(dist(rgb, full.get(n)) <= 1, `frame ${n}: ${rgb}, in the full decode ${full.get(n)}`);
    for (const m of [n - 1, n + 1].filter((k) => full.has(k))) {
      assert.ok(dist(rgb, full.get(m)) >= 8, `frame ${n} (${rgb}) looks like frame ${m} (${full.get(m)})`);
    }
  }
});

test('variable frame rate is read as such', async () => {
  const r = await inspect(join(DIR, 'vfr.mp4'), [1]);
  assert.ok(r.samples < 180 && r.samples > 100, `${r.samples} samples`);
  assert.ok(r.frameRate < 29, `frame rate ${r.frameRate}`);
});

test('a text file named .mp4 and a truncated MP4 give typed errors', async () => {
  const text = join(DIR, 'notes.mp4');
  writeFileSync(text, 'these are my holiday notes, not a video\n'.repeat(50));
  assert.equal((await inspect(text, [0])).error?.code, 'UNSUPPORTED_CONTAINER');
  const full = join(DIR, 'h264.mp4');
  const bytes = (await import('node:fs')).readFileSync(full);
  const half = join(DIR, 'half.mp4');
  writeFileSync(half, bytes.subarray(0, bytes.length >> 1));
  assert.equal((await inspect(half, [0])).error?.code, 'CORRUPT_MEDIA');
});
