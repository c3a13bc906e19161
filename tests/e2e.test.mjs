// End-to-end: the real demo page in headless Chromium (Debian's), served with
// COOP/COEP, real WebCodecs decoding, wasm threads, tract face detection.
// Videos come from tests/make_videos.sh (ffmpeg, real photos).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../www/server.mjs';
import { CHROMIUM_ARGS } from '../bin/framepick.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const VIDEOS = execFileSync('bash', [join(ROOT, 'tests/make_videos.sh')]).toString().trim();
const video = (name) => join(VIDEOS, name);

let browser;
let isolated;
let plain;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.FRAMEPICK_CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
  isolated = await startServer({ root: join(ROOT, 'www') });
  plain = await startServer({ root: join(ROOT, 'www'), isolate: false });
});

after(async () => {
  await browser?.close();
  await isolated?.close();
  await plain?.close();
});

async function openDemo(server, query = '') {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript(() => { window.__framepickDriven = true; });
  await page.goto(new URL(`index.html${query}`, server.url).href);
  const info = await page.evaluate(() => window.framepickDemo.ready());
  return { page, info, errors };
}

async function pick(page, file, options = {}) {
  await page.setInputFiles('#file', file);
  return page.evaluate((o) => window.framepickDemo.pickFromInput(o), options);
}

test('isolated page runs the threaded build with a real rayon pool', async () => {
  const { page, info } = await openDemo(isolated);
  assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
  assert.equal(info.flavour, 'threads');
  assert.ok(info.threads > 1, `threads: ${info.threads}`);
  assert.equal(info.faceModel, true, JSON.stringify(info.modelError));
  await page.close();
});

test('a clip with a face: WebCodecs decode, picks with faces found by tract', async () => {
  const { page, errors } = await openDemo(isolated);
  const progress = [];
  await page.exposeFunction('__framepickProgress', (p) => progress.push(p));
  const r = await pick(page, video('face.mp4'), { top: 4 });
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  const { candidates, report } = r;
  assert.equal(report.decoder, 'webcodecs');
  assert.equal(report.wasm, 'threads');
  assert.ok(report.threads > 1);
  assert.ok(report.framesDecoded >= 100, `decoded ${report.framesDecoded}`);
  assert.ok(report.framesDeep > 0);
  assert.ok(report.warmUpMs > 0, 'the models ran on a blank frame after start-up (create\'s warmUp)');
  assert.equal(candidates.length, 4);
  assert.ok(candidates.some((c) => c.faces.length > 0), 'no face found in any pick');
  for (const c of candidates) {
    assert.ok(c.time >= 0 && c.time <= 8, `time ${c.time}`);
    assert.equal(c.image.type, 'image/jpeg');
    const jpeg = Buffer.from(c.image.base64, 'base64');
    assert.deepEqual([...jpeg.subarray(0, 2)], [0xff, 0xd8]);
    assert.equal(c.width, 1280);
    for (const f of c.faces) {
      // The face is in the upper half of the frame in this clip, boxes in output pixels.
      assert.ok(f.x >= 0 && f.x + f.width <= 1300 && f.y + f.height <= 740, JSON.stringify(f));
      assert.ok(f.width > 60, `face width ${f.width}`);
    }
  }
  for (let i = 1; i < candidates.length; i++) assert.ok(candidates[i - 1].score >= candidates[i].score);
  // Progress reached the page, in order, and finished.
  assert.ok(progress.length > 3);
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i].fraction >= progress[i - 1].fraction);
  assert.equal(progress.at(-1).fraction, 1);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a clip without a person: no faces in the picks', async () => {
  const { page } = await openDemo(isolated);
  const r = await pick(page, video('scene.mp4'), { top: 4 });
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  assert.ok(r.candidates.length > 0);
  assert.ok(r.report.framesDeep > 0, 'deep analysis did not run');
  assert.deepEqual(r.candidates.map((c) => c.faces.length), r.candidates.map(() => 0));
  await page.close();
});

test('without cross-origin isolation the single-thread build still finds the face', async () => {
  const { page, info } = await openDemo(plain);
  assert.equal(info.crossOriginIsolated, false);
  assert.equal(info.flavour, 'single');
  const r = await pick(page, video('face.mp4'), { top: 2 });
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  assert.equal(r.report.wasm, 'single');
  assert.ok(r.candidates.some((c) => c.faces.length > 0));
  await page.close();
});

test('the three wasm builds (relaxed SIMD threaded and single, baseline without it) pick alike', async () => {
  const run = async (server, query) => {
    const { page, info } = await openDemo(server, query);
    const r = await pick(page, video('face.mp4'), { top: 3 });
    await page.close();
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    return { ...r, info };
  };
  const threads = await run(isolated, '');
  const single = await run(plain, '');
  // relaxedSimd: false on an isolated page: the baseline build, single-threaded, and why.
  const baseline = await run(isolated, '?relaxedSimd=0');
  assert.deepEqual([threads, single, baseline].map((r) => [r.info.build, r.report.wasm, r.report.wasmBuild]),
    [['threads', 'threads', 'threads'], ['single', 'single', 'single'], ['baseline', 'single', 'baseline']]);
  assert.match(baseline.info.threadsError, /relaxedSimd: false/);
  const faces = threads.candidates.flatMap((c) => c.faces);
  assert.ok(faces.length > 0, 'no face found');
  for (const other of [single, baseline]) {
    assert.deepEqual(other.candidates.map((c) => c.time), threads.candidates.map((c) => c.time), other.info.build);
    const otherFaces = other.candidates.flatMap((c) => c.faces);
    assert.equal(otherFaces.length, faces.length, other.info.build);
    otherFaces.forEach((f, i) => {
      for (const k of ['x', 'y', 'width', 'height']) {
        assert.ok(Math.abs(f[k] - faces[i][k]) <= 1, `${other.info.build} ${k}: ${f[k]} vs ${faces[i][k]}`);
      }
    });
  }
});

test('a file that is not a video gives UNSUPPORTED_CONTAINER', async () => {
  const { page } = await openDemo(isolated);
  const r = await pick(page, join(ROOT, 'tests/fixtures/astronaut.jpg'));
  assert.equal(r.error?.code, 'UNSUPPORTED_CONTAINER');
  // The worker survives: the next pick works.
  const ok = await pick(page, video('scene.mp4'), { top: 1 });
  assert.equal(ok.error, undefined);
  await page.close();
});

test('a truncated video gives CORRUPT_MEDIA, not a hang', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'framepick-'));
  const bytes = readFileSync(video('face.mp4'));
  const cut = join(dir, 'cut.mp4');
  writeFileSync(cut, bytes.subarray(0, bytes.length - 2000)); // moov at the end is cut
  const { page } = await openDemo(isolated);
  const r = await pick(page, cut);
  assert.equal(r.error?.code, 'CORRUPT_MEDIA', JSON.stringify(r));
  await page.close();
});

test('warmUp: false starts without running the models, and the first pick still finds the face', async () => {
  const { page } = await openDemo(isolated);
  await page.setInputFiles('#file', video('face.mp4'));
  const r = await page.evaluate(async () => {
    const picker = await (await import('./framepick.js')).FramePicker.create({ warmUp: false });
    try {
      const { candidates, report } = await picker.pick(document.getElementById('file').files[0], { top: 2 });
      return { faces: candidates.map((c) => c.faces.length), warmUpMs: report.warmUpMs };
    } finally { picker.dispose(); }
  });
  assert.equal(r.warmUpMs, null);
  assert.ok(r.faces.some((n) => n > 0), JSON.stringify(r));
  await page.close();
});

test('abort cancels a run with ABORTED', async () => {
  const { page } = await openDemo(isolated);
  await page.setInputFiles('#file', video('sample.mp4'));
  const r = await page.evaluate(async () => {
    const picker = await (await import('./framepick.js')).FramePicker.create();
    const file = document.getElementById('file').files[0];
    const controller = new AbortController();
    const run = picker.pick(file, { signal: controller.signal,
      onProgress: (p) => { if (p.stage === 'decode') controller.abort(); } });
    try { await run; return { code: null }; } catch (e) { return { code: e.code }; }
    finally { picker.dispose(); }
  });
  assert.equal(r.code, 'ABORTED');
  await page.close();
});

test('CLI: framepick pick writes images and the JSON report', () => {
  const out = mkdtempSync(join(tmpdir(), 'framepick-cli-'));
  const json = join(out, 'report.json');
  const run = spawnSync('node', [join(ROOT, 'bin/framepick.mjs'), 'pick', video('face.mp4'),
    '--top', '3', '--niche', 'vlog', '--out', out, '--json', json], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(readFileSync(json, 'utf8'));
  assert.equal(report.candidates.length, 3);
  for (const c of report.candidates) {
    assert.equal(typeof c.time, 'number');
    assert.equal(typeof c.score, 'number');
    assert.ok(Array.isArray(c.faces));
    assert.ok(existsSync(join(out, c.image)), c.image);
  }
  assert.equal(typeof report.report.timings.totalMs, 'number');
  assert.equal(report.report.niche, 'vlog');
  const badNiche = spawnSync('node', [join(ROOT, 'bin/framepick.mjs'), 'pick', video('face.mp4'),
    '--niche', 'knitting', '--out', out], { encoding: 'utf8', timeout: 120_000 });
  // A bad value is a command-line error (exit 2, before any browser starts), named.
  assert.equal(badNiche.status, 2);
  assert.match(badNiche.stderr, /--niche .*knitting/);
  const bad = spawnSync('node', [join(ROOT, 'bin/framepick.mjs'), 'pick',
    join(ROOT, 'tests/fixtures/coffee.jpg')], { encoding: 'utf8', timeout: 120_000 });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /UNSUPPORTED_CONTAINER/);
});

test('upload sends only the picks from the page to a real endpoint', async () => {
  const { startUploadServer } = await import('./upload-server.mjs');
  // Same origin as the page: the upload endpoint is mounted beside the demo.
  const uploads = await startUploadServer({ cors: true });
  const { page } = await openDemo(isolated);
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.setInputFiles('#file', video('face.mp4'));
  const r = await page.evaluate(async (url) => {
    const { FramePicker } = await import('./framepick.js');
    const picker = await FramePicker.create();
    const file = document.getElementById('file').files[0];
    const { candidates } = await picker.pick(file, { top: 3 });
    const results = await picker.upload(candidates.slice(0, 2), { url, retries: 2 });
    picker.dispose();
    return { sizes: candidates.slice(0, 2).map((c) => c.blob.size), results, video: file.size };
  }, `${uploads.url}/api/thumbnails`);
  await page.close();
  await uploads.close();
  assert.equal(r.results.length, 2);
  const posts = uploads.requests.filter((q) => q.method === 'POST');
  assert.equal(posts.length, 2);
  const received = posts.reduce((n, q) => n + q.body.length, 0);
  const picked = r.sizes.reduce((a, b) => a + b, 0);
  assert.ok(received >= picked && received < picked + 4096, `${received} vs ${picked}`);
  // Nothing but the page's own files and the two uploads left the page (blob: URLs of
  // the page's origin are the rayon workers' scripts, made in memory).
  const local = [isolated.url, uploads.url, `blob:${isolated.url.slice(0, -1)}`];
  const foreign = requests.filter((u) => !local.some((prefix) => u.startsWith(prefix)));
  assert.deepEqual(foreign, []);
});

test('a rotated video gives upright picks (width and height swapped)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'framepick-'));
  const rotated = join(dir, 'rotated.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', video('face.mp4'), '-c', 'copy',
    '-metadata:s:v:0', 'rotate=90', rotated]);
  const { page } = await openDemo(isolated);
  const r = await pick(page, rotated, { top: 2 });
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  assert.equal(r.report.rotation, 270); // ffmpeg's rotate=90 writes a counter-clockwise matrix
  for (const c of r.candidates) assert.deepEqual([c.width, c.height], [720, 1280]);
  assert.ok(r.candidates.some((c) => c.faces.length > 0));
  await page.close();
});

test('garbage in the middle of the file does not kill the run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'framepick-'));
  const bytes = Buffer.from(readFileSync(video('face.mp4')));
  // moov is at the end: the middle of the file is sample data.
  let seed = 7;
  for (let i = Math.floor(bytes.length * 0.4); i < Math.floor(bytes.length * 0.45); i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    bytes[i] = seed & 0xff;
  }
  const damaged = join(dir, 'damaged.mp4');
  writeFileSync(damaged, bytes);
  const { page, errors } = await openDemo(isolated);
  const r = await pick(page, damaged, { top: 3 });
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  assert.ok(r.candidates.length > 0);
  // This damage hits a keyframe: its GOP is skipped and the report says where.
  assert.ok(r.report.warnings.some((w) => /corrupt data near \d+\.\d+ s/.test(w)),
    JSON.stringify(r.report.warnings));
  assert.deepEqual(errors, []);
  await page.close();
});

test('bad input gets a typed error: empty, audio only, HEVC where the browser lacks it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'framepick-'));
  const make = (name, args) => {
    const out = join(dir, name);
    execFileSync('ffmpeg', ['-v', 'error', '-y', ...args, out]);
    return out;
  };
  const empty = join(dir, 'empty.mp4');
  writeFileSync(empty, Buffer.alloc(0));
  const cases = [
    [empty, 'UNSUPPORTED_CONTAINER'],
    [make('audio.mp4', ['-f', 'lavfi', '-i', 'sine=d=2', '-c:a', 'aac']), 'NO_VIDEO_TRACK'],
    [make('hevc.mp4', ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-t', '1',
      '-c:v', 'libx265', '-tag:v', 'hvc1', '-x265-params', 'log-level=error']), 'UNSUPPORTED_CODEC'],
  ];
  const { page } = await openDemo(isolated);
  for (const [file, code] of cases) {
    const r = await pick(page, file);
    assert.equal(r.error?.code, code, `${file}: ${JSON.stringify(r)}`);
    if (code === 'UNSUPPORTED_CODEC') assert.match(r.error.message, /hvc1/);
  }
  await page.close();
});

test('the <video> fallback gives picks with faces and says so in the report', async () => {
  const { page } = await openDemo(isolated);
  const r = await pick(page, video('face.mp4'), { top: 3, decoder: 'video-element' });
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  assert.equal(r.report.decoder, 'video-element');
  assert.equal(r.candidates.length, 3);
  assert.ok(r.candidates.some((c) => c.faces.length > 0));
  for (const c of r.candidates) {
    assert.deepEqual([c.width, c.height], [1280, 720]);
    assert.deepEqual([...Buffer.from(c.image.base64, 'base64').subarray(0, 2)], [0xff, 0xd8]);
  }
  await page.close();
});

// sample.mp4 (tests/make_videos.sh): shots of a face, a scene, a test pattern and a
// fractal, with spoiled spells on purpose: black 10–12 s, blurred 20–26 s, dark 34–40 s.
const SPOILED = [[10, 12], [20, 26], [34, 40]];

test('ranking on a labelled video: no spoiled picks, distinct shots, faces first under vlog', async () => {
  const { page } = await openDemo(isolated);
  const r = await pick(page, video('sample.mp4'), { top: 6, niche: 'vlog' });
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  const { candidates, report } = r;
  assert.equal(candidates.length, 6);
  for (const c of candidates) {
    // The frame at exactly `b` starts the next, good segment.
    assert.ok(!SPOILED.some(([a, b]) => c.time > a - 0.05 && c.time < b),
      `pick at ${c.time} s is in a spoiled spell`);
  }
  // Two-stage: a coarse pass, then a dense one inside chosen segments.
  assert.ok(report.framesCoarse > 0 && report.framesDense > 0, JSON.stringify(report));
  assert.ok(report.shots >= 5, `shots: ${report.shots}`);
  // Varied: a shot appears twice only for a face (vlog takes a clean face whenever
  // one exists, issue 13), and then at least minGap apart.
  const shots = candidates.map((c) => c.shot);
  assert.ok(new Set(shots).size >= 5, `shots of the picks: ${shots}`);
  for (const [i, c] of candidates.entries()) {
    const twin = candidates.find((d, j) => j !== i && d.shot === c.shot);
    if (twin) assert.ok(c.faces.length > 0 && Math.abs(c.time - twin.time) >= 1, `shots of the picks: ${shots}`);
  }
  // Under vlog the face shots come first, each with a happy face and reasons.
  assert.ok(candidates[0].faces.length > 0 && candidates[1].faces.length > 0);
  assert.equal(candidates[0].faces[0].emotion.label, 'happy');
  assert.ok(candidates[0].why.length > 0);
  assert.equal(report.niche, 'vlog');
  await page.close();
});
