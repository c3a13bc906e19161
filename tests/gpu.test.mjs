// The quick filter on WebGPU and on the CPU, in headless Chromium on a generated video
// with every kind of spoiled spell (tests/make_videos.sh spoiled.mp4). WebGPU here is
// SwiftShader (a software adapter), reached with GPU_CHROMIUM_ARGS; the GPU code path
// (external texture import, WGSL downscale and sums, read-back) is the one a hardware
// adapter runs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { openDemoPage, ROOT } from './demo-page.mjs';
import { GPU_CHROMIUM_ARGS } from '../bin/framepick.mjs';

const VIDEOS = execFileSync('bash', [join(ROOT, 'tests/make_videos.sh')]).toString().trim();
const SPOILED_MP4 = join(VIDEOS, 'spoiled.mp4');

// spoiled.mp4's timeline (seconds): what each spell is, and the verdict it must get.
const SEGMENTS = [
  { from: 0, to: 6, kind: 'good' },
  { from: 6, to: 10, kind: 'blownOut' },
  { from: 10, to: 16, kind: 'good' },
  { from: 16, to: 17, kind: 'fade' },
  { from: 17, to: 19, kind: 'black' },
  { from: 19, to: 20, kind: 'fade' },
  { from: 20, to: 25, kind: 'good' },
  { from: 25, to: 31, kind: 'blurry' },
  { from: 31, to: 37, kind: 'tooDark' },
  { from: 37, to: 43, kind: 'good' },
  { from: 43, to: 47, kind: 'noisy' },
  { from: 47, to: 52, kind: 'good' },
];
const VERDICT = { good: null, blownOut: 'blownOut', black: 'tooDark', blurry: 'blurry', tooDark: 'tooDark',
  noisy: 'noisy' };
const CUTS = [6, 10, 17, 19, 25, 31, 37, 43, 47];

// GPU and CPU measure the same frames; they differ only by float rounding (f32 sums
// per 16×16 tile on the GPU, fixed-point cell sums) and by the two downscalers
// (WGSL bilinear vs the canvas's), so metrics on a 0–1 scale agree within 0.01.
const TOLERANCE = {
  brightness: 0.01, contrast: 0.01, sharpness: 0.01, uniformity: 0.01, gradient: 0.01,
  entropy: 0.01, clippedShadows: 0.01, clippedHighlights: 0.01, colorfulness: 1.0, noise: 0.1,
};
const PHASH_BITS = 4;

let page;
let closeDemo;

before(async () => {
  ({ page, close: closeDemo } = await openDemoPage({ args: GPU_CHROMIUM_ARGS }));
  await page.setInputFiles('#file', SPOILED_MP4);
});

after(() => closeDemo?.());

const inPage = (fn, arg) => page.evaluate(async ([src, a]) => {
  try {
    return await eval(src)(document.getElementById('file').files[0], a);
  } catch (e) {
    return { error: { code: e.code, message: e.message } };
  }
}, [fn.toString(), arg]);

const bits = (a, b) => [...(BigInt(`0x${a}`) ^ BigInt(`0x${b}`)).toString(2)].filter((c) => c === '1').length;

function assertAgree(what, a, b) {
  for (const [k, tol] of Object.entries(TOLERANCE)) {
    assert.ok(Math.abs(a[k] - b[k]) <= tol, `${what}: ${k} ${a[k]} vs ${b[k]} (tolerance ${tol})`);
  }
  assert.ok(bits(a.phash, b.phash) <= PHASH_BITS, `${what}: phash ${a.phash} vs ${b.phash}`);
  assert.equal(a.rejection, b.rejection, `${what}: verdict`);
}

test('a WebGPU adapter is available headless (SwiftShader)', async () => {
  const info = await page.evaluate(async () => {
    const a = await navigator.gpu?.requestAdapter();
    return a ? { vendor: a.info.vendor, fallback: a.info.isFallbackAdapter } : null;
  });
  assert.ok(info, 'no WebGPU adapter: the GPU path cannot be tested on this Chromium');
});

test('GPU and CPU quick metrics agree on every kind of frame, and both reject every spoiled spell', async () => {
  const times = SEGMENTS.flatMap((s) => [s.from + 0.4, (s.from + s.to) / 2, s.to - 0.4]);
  const r = await inPage((file, t) => window.picker.inspectFrames(file, t, { metrics: true, gpu: true }), times);
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  assert.equal(r.gpu.used, true, JSON.stringify(r.gpu));
  for (const f of r.frames) {
    const seg = SEGMENTS.find((s) => f.time >= s.from && f.time < s.to);
    const at = `${f.time.toFixed(2)} s (${seg.kind})`;
    // Same pixels (the GPU's downscale), summed on the GPU vs on the CPU: rounding only.
    assertAgree(`${at} GPU sums vs CPU on the GPU's pixels`, f.gpu, f.gpuPixelsOnCpu);
    // The whole GPU path vs the whole CPU path (canvas downscale).
    assertAgree(`${at} GPU path vs CPU path`, f.gpu, f.cpu);
    if (seg.kind !== 'fade') assert.equal(f.cpu.rejection, VERDICT[seg.kind], `${at}: ${JSON.stringify(f.cpu)}`);
  }
});

for (const gpu of [true, false]) {
  test(`picks with gpu: ${gpu}: nothing from a spoiled spell or a fade, every shot found`, async () => {
    const r = await inPage(async (file, g) => {
      const out = await window.picker.pick(file, { top: 6, gpu: g });
      return { times: out.candidates.map((c) => c.time), report: out.report };
    }, gpu);
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    const { report } = r;
    assert.equal(report.gpu.used, gpu, JSON.stringify(report.gpu));
    if (gpu) {
      assert.equal(report.gpu.framesOnCpu, 0);
      assert.ok(report.gpu.framesOnGpu >= report.framesSampled, JSON.stringify(report.gpu));
      assert.ok(report.gpu.pixelsReadBack <= report.gpu.framesOnGpu);
    } else {
      assert.match(report.gpu.reason, /disabled/);
    }
    assert.ok(r.times.length >= 3, `picks at ${r.times}`);
    // x264 with B-frames: non-reference pictures on the way to the targets are not decoded.
    assert.ok(report.framesSkipped > 0, `framesSkipped ${report.framesSkipped}`);
    for (const t of r.times) {
      const seg = SEGMENTS.find((s) => t >= s.from && t < s.to);
      // The first frame of a fade-out is still the unfaded picture.
      const onFadeStart = seg.kind === 'fade' && t - seg.from < 0.05;
      assert.ok(seg.kind === 'good' || onFadeStart, `pick at ${t} s is in a ${seg.kind} spell`);
    }
    // Every shot found: no shot runs across a cut, and every content spell has a shot.
    for (const cut of CUTS) {
      const across = report.shotTimes.find(([a, b]) => a < cut - 1.01 && b > cut + 1.01);
      assert.equal(across, undefined, `a shot spans the cut at ${cut} s: ${JSON.stringify(report.shotTimes)}`);
    }
    for (const s of SEGMENTS.filter((x) => x.kind !== 'fade' && x.kind !== 'black')) {
      assert.ok(report.shotTimes.some(([a, b]) => a < s.to && b >= s.from),
        `no shot in ${s.from}–${s.to} s (${s.kind}): ${JSON.stringify(report.shotTimes)}`);
    }
    // The fades and the black between them are flagged as transitions.
    assert.ok(report.transitionTimes.some((t) => t >= 16 && t <= 20), JSON.stringify(report.transitionTimes));
  });
}

test('a screencast (code on a dark, then a light theme) passes the quick filter on both paths', async () => {
  await page.setInputFiles('#file', join(VIDEOS, 'screencast.mp4'));
  try {
    const times = [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5];
    const r = await inPage((file, t) => window.picker.inspectFrames(file, t, { metrics: true, gpu: true }), times);
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    assert.equal(r.frames.length, times.length);
    for (const f of r.frames) {
      const at = `${f.time.toFixed(2)} s`;
      // What Hecate's rules alone would reject: a plain dark or white background.
      assert.ok(f.cpu.uniformity >= 0.8 || f.cpu.brightness >= 0.93, `${at}: ${JSON.stringify(f.cpu)}`);
      assert.equal(f.cpu.rejection, null, `${at} CPU: ${JSON.stringify(f.cpu)}`);
      assert.equal(f.gpu.rejection, null, `${at} GPU: ${JSON.stringify(f.gpu)}`);
    }
    const picked = await inPage(async (file) => (await window.picker.pick(file, { top: 3, gpu: false })).report);
    assert.equal(picked.error, undefined, JSON.stringify(picked.error));
    assert.equal(picked.framesRejected, 0, JSON.stringify(picked));
    assert.ok(!picked.warnings.some((w) => /every sampled frame failed/.test(w)), JSON.stringify(picked.warnings));
  } finally {
    await page.setInputFiles('#file', SPOILED_MP4);
  }
});

test("gpu: 'auto' declines a software adapter and says why", async () => {
  const r = await inPage(async (file) => (await window.picker.pick(file, { top: 2, gpu: 'auto' })).report.gpu);
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  assert.equal(r.used, false);
  assert.equal(r.fallbackAdapter, true);
  assert.match(r.reason, /software/);
});

test('WebGPU device loss mid-run: the CPU path takes over, and the next run gets a new device', async () => {
  await page.evaluate(async () => {
    const { FramePicker } = await import('./framepick.js');
    window.lossPicker = await FramePicker.create({ workerUrl: new URL('./worker.js?device-loss', location.href) });
  });
  const worker = page.workers().find((w) => w.url().endsWith('worker.js?device-loss'));
  // Lose the first device for real (GPUDevice.destroy) once a few read-backs came back.
  await worker.evaluate(() => {
    const requestDevice = GPUAdapter.prototype.requestDevice;
    GPUAdapter.prototype.requestDevice = async function (...a) {
      const device = await requestDevice.apply(this, a);
      self.lossDevice ??= device;
      return device;
    };
    const mapAsync = GPUBuffer.prototype.mapAsync;
    let maps = 0;
    GPUBuffer.prototype.mapAsync = function (...a) {
      return mapAsync.apply(this, a).then((v) => {
        if (++maps === 6) self.lossDevice.destroy();
        return v;
      });
    };
  });
  const run = () => inPage(async (file) => {
    const out = await window.lossPicker.pick(file, { top: 3, gpu: true });
    return { times: out.candidates.map((c) => c.time), report: out.report };
  });
  const lost = await run();
  assert.equal(lost.error, undefined, JSON.stringify(lost.error));
  const g = lost.report.gpu;
  assert.ok(g.framesOnGpu >= 1 && g.framesOnCpu > 0, JSON.stringify(g));
  assert.ok(lost.report.warnings.some((w) => /WebGPU quick filter failed.*CPU path took over/.test(w)),
    JSON.stringify(lost.report.warnings));
  assert.ok(lost.times.length >= 3, `picks at ${lost.times}`);
  const again = await run();
  assert.equal(again.error, undefined, JSON.stringify(again.error));
  assert.equal(again.report.gpu.framesOnCpu, 0, JSON.stringify(again.report.gpu));
  assert.ok(again.report.gpu.framesOnGpu > 0);
});
