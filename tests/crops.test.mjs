// Crops (issue 17) end to end: the demo page in headless Chromium on landscape and
// portrait videos with a face, and one without: every candidate has the four shapes,
// each rectangle lies inside the picture with the exact ratio, keeps the faces that
// fit, and the asked crop images have exactly the crop's size and show the crop's
// part of the pick.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../www/server.mjs';
import { CHROMIUM_ARGS, imageSize } from '../bin/framepick.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const VIDEOS = execFileSync('bash', [join(ROOT, 'tests/make_videos.sh')]).toString().trim();
const video = (name) => join(VIDEOS, name);
const SHAPES = ['16:9', '1:1', '4:5', '9:16'];

let browser;
let server;
let page;
let dir;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.FRAMEPICK_CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
  server = await startServer({ root: join(ROOT, 'www') });
  page = await browser.newPage();
  await page.addInitScript(() => { window.__framepickDriven = true; });
  await page.goto(new URL('index.html', server.url).href);
  await page.evaluate(() => window.framepickDemo.ready());
  dir = mkdtempSync(join(tmpdir(), 'framepick-crops-'));
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function pick(file, options) {
  await page.setInputFiles('#file', file);
  const r = await page.evaluate((o) => window.framepickDemo.pickFromInput(o), options);
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  return r;
}

/** A face box in whole pixels, clipped to the picture (as the crops see it). */
function faceBox(f, c) {
  return {
    x0: Math.max(0, Math.floor(f.x)), y0: Math.max(0, Math.floor(f.y)),
    x1: Math.min(c.width, Math.ceil(f.x + f.width)), y1: Math.min(c.height, Math.ceil(f.y + f.height)),
  };
}

const inside = (b, k) => b.x0 >= k.x && b.y0 >= k.y && b.x1 <= k.x + k.width && b.y1 <= k.y + k.height;

/** The rules every crop of every candidate keeps; `asked`: shapes whose images came back. */
function checkCrops(candidates, asked) {
  for (const c of candidates) {
    const labels = c.crops.map((k) => k.ratio);
    assert.deepEqual(labels.slice(0, 4), SHAPES);
    const boxes = c.faces.map((f) => faceBox(f, c)).filter((b) => b.x1 > b.x0 && b.y1 > b.y0);
    const main = c.faces.length ? faceBox(c.faces.reduce((a, f) =>
      (f.width * f.height * f.score > a.width * a.height * a.score ? f : a)), c) : null;
    for (const k of c.crops) {
      const [rw, rh] = k.ratio.split(':').map(Number);
      const what = `${c.time}s ${JSON.stringify({ ...k, image: undefined })} faces ${JSON.stringify(boxes)}`;
      assert.ok(k.width > 0 && k.height > 0 && !k.upscale, what);
      assert.equal(k.width * rh, k.height * rw, `ratio not exact: ${what}`);
      assert.ok(k.x >= 0 && k.y >= 0 && k.x + k.width <= c.width && k.y + k.height <= c.height, `outside: ${what}`);
      assert.ok(k.width + rw > c.width || k.height + rh > c.height, `not the largest: ${what}`);
      // Faces: the main one whole when it fits, all of them when they fit together.
      const fits = (b) => b.x1 - b.x0 <= k.width && b.y1 - b.y0 <= k.height;
      if (main && fits(main)) assert.ok(inside(main, k), `main face cut: ${what}`);
      if (boxes.length) {
        const all = { x0: Math.min(...boxes.map((b) => b.x0)), y0: Math.min(...boxes.map((b) => b.y0)),
          x1: Math.max(...boxes.map((b) => b.x1)), y1: Math.max(...boxes.map((b) => b.y1)) };
        if (fits(all)) assert.ok(boxes.every((b) => inside(b, k)) && k.fits && !k.cutsFaces, `face left out: ${what}`);
      }
      assert.equal(k.facesKept, boxes.filter((b) => inside(b, k)).length, what);
      assert.ok(k.score >= 0 && k.score <= 1 && k.reason.length > 0, what);
      assert.equal(k.asked, asked.includes(k.ratio), what);
      if (k.asked) {
        assert.ok(k.image, `no image for ${what}`);
        const size = imageSize(Buffer.from(k.image.base64, 'base64'));
        assert.deepEqual(size, { width: k.width, height: k.height }, `image size: ${what}`);
      } else {
        assert.equal(k.image, undefined);
      }
    }
  }
}

/**
 * Mean difference (0–255) between the crop's image and the crop's rectangle of the pick's
 * own image, both drawn at 24×24: small when the crop shows that part of the picture.
 */
function contentDifference(c, k) {
  return page.evaluate(async ({ pick, crop, rect }) => {
    const load = (img) => createImageBitmap(new Blob([Uint8Array.from(atob(img.base64), (ch) => ch.charCodeAt(0))],
      { type: img.type }));
    const [a, b] = await Promise.all([load(pick), load(crop)]);
    const px = (draw) => {
      const ctx = new OffscreenCanvas(24, 24).getContext('2d', { willReadFrequently: true });
      draw(ctx);
      return ctx.getImageData(0, 0, 24, 24).data;
    };
    const pa = px((ctx) => ctx.drawImage(a, rect.x, rect.y, rect.width, rect.height, 0, 0, 24, 24));
    const pb = px((ctx) => ctx.drawImage(b, 0, 0, 24, 24));
    let d = 0;
    for (let i = 0; i < pa.length; i += 4) for (let j = 0; j < 3; j++) d += Math.abs(pa[i + j] - pb[i + j]);
    return d / (24 * 24 * 3);
  }, { pick: c.image, crop: k.image, rect: { x: k.x, y: k.y, width: k.width, height: k.height } });
}

test('landscape with a face: four shapes on every pick, asked images exact and of the right part', async () => {
  const asked = [...SHAPES, '3:2'];
  const r = await pick(video('face.mp4'), { top: 3, crops: asked });
  assert.equal(r.candidates.length, 3);
  assert.ok(r.candidates.some((c) => c.faces.length > 0), 'no face found');
  checkCrops(r.candidates, asked);
  for (const c of r.candidates) {
    assert.deepEqual(c.crops.map((k) => k.ratio), asked);
    const wide = c.crops[0];
    assert.deepEqual([wide.x, wide.y, wide.width, wide.height], [0, 0, 1280, 720]);
    for (const k of c.crops) assert.ok(await contentDifference(c, k) < 10, `${k.ratio} shows another part`);
  }
  // The face pick's 9:16 crop sits over the face, not at the frame's centre by default.
  const withFace = r.candidates.find((c) => c.faces.length);
  const story = withFace.crops[3];
  const f = withFace.faces[0];
  assert.ok(story.x <= f.x && story.x + story.width >= f.x + f.width, JSON.stringify({ story, f }));
});

test('portrait (a rotated phone clip): crops in the upright picture, images drawn upright', async () => {
  const rotated = join(dir, 'rotated.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', video('face.mp4'), '-c', 'copy',
    '-metadata:s:v:0', 'rotate=90', rotated]);
  const r = await pick(rotated, { top: 2, crops: ['16:9', '9:16'] });
  for (const c of r.candidates) assert.deepEqual([c.width, c.height], [720, 1280]);
  assert.ok(r.candidates.some((c) => c.faces.length > 0), 'no face found');
  checkCrops(r.candidates, ['16:9', '9:16']);
  for (const c of r.candidates) {
    const [wide, , , tall] = c.crops;
    assert.deepEqual([wide.width, wide.height], [720, 405]);
    assert.deepEqual([tall.x, tall.y, tall.width, tall.height], [0, 0, 720, 1280]);
    // Upright: the 16:9 crop's image matches its band of the upright pick.
    assert.ok(await contentDifference(c, wide) < 10, 'the 16:9 crop is not the band it names');
  }
});

test('portrait coded 720×1280, face near the top edge; and a clip without faces', async () => {
  const tall = join(dir, 'tall.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-loop', '1', '-framerate', '30', '-t', '3',
    '-i', join(ROOT, 'tests/fixtures/astronaut.jpg'), '-vf', 'scale=1400:1400,crop=720:1280:330:0',
    '-t', '3', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-r', '30', '-g', '30', '-an', tall]);
  const r = await pick(tall, { top: 2, crops: ['1:1'] });
  for (const c of r.candidates) assert.deepEqual([c.width, c.height], [720, 1280]);
  assert.ok(r.candidates.some((c) => c.faces.length > 0), 'no face found');
  checkCrops(r.candidates, ['1:1']);
  const none = await pick(video('scene.mp4'), { top: 2 });
  assert.ok(none.candidates.every((c) => c.faces.length === 0));
  checkCrops(none.candidates, []);
  for (const c of none.candidates) assert.ok(c.crops.every((k) => k.fits && k.reason.includes('no faces')));
});

test('groups of two faces, side by side (one near the left edge) and one above the other', async () => {
  const astro = join(ROOT, 'tests/fixtures/astronaut.jpg');
  const make = (name, stack) => {
    const out = join(dir, name);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-loop', '1', '-framerate', '30', '-t', '2', '-i', astro,
      '-filter_complex', `[0]scale=720:720,split[a][b];${stack}`, '-t', '2', '-c:v', 'libx264', '-preset', 'veryfast',
      '-pix_fmt', 'yuv420p', '-r', '30', '-g', '30', '-an', out]);
    return out;
  };
  const wide = make('group-wide.mp4', '[a]crop=640:720:220:0[l];[b]hflip,crop=640:720:0:0[r];[l][r]hstack');
  const tall = make('group-tall.mp4', '[a]crop=720:640:0:0[t];[b]hflip,crop=720:640:0:0[u];[t][u]vstack');
  const side = await pick(wide, { top: 1, crops: ['9:16'] });
  const above = await pick(tall, { top: 1, crops: ['16:9'] });
  for (const [r, together, apart] of [[side, ['16:9'], ['1:1', '4:5', '9:16']],
    [above, ['4:5', '9:16'], ['16:9', '1:1']]]) {
    const [c] = r.candidates;
    assert.equal(c.faces.length, 2, JSON.stringify(c.faces));
    checkCrops(r.candidates, [c.width > c.height ? '9:16' : '16:9']);
    const by = Object.fromEntries(c.crops.map((k) => [k.ratio, k]));
    // Both faces where they fit together; else the main one whole and the other out, none cut.
    for (const s of together) assert.ok(by[s].fits && by[s].facesKept === 2, JSON.stringify(by[s]));
    for (const s of apart) {
      assert.deepEqual([by[s].facesKept, by[s].facesCut, by[s].cutsFaces], [1, 0, false], JSON.stringify(by[s]));
      assert.match(by[s].reason, /keeps 1 of 2 faces whole, cuts none/);
    }
  }
});

test('maxWidth scales crop images in whole steps of their ratio; WebP; the <video> fallback', async () => {
  const r = await pick(video('face.mp4'), { top: 2, crops: ['16:9', '9:16', '1.91:1'], maxWidth: 400, format: 'webp' });
  for (const c of r.candidates) {
    const byRatio = Object.fromEntries(c.crops.map((k) => [k.ratio, k]));
    const sizes = ['16:9', '9:16', '191:100'].map((ratio) => {
      const k = byRatio[ratio];
      assert.equal(k.image.type, 'image/webp');
      return imageSize(Buffer.from(k.image.base64, 'base64'));
    });
    // 16:9 → 25 × (16×9) = 400×225; 9:16 is 405 wide → 44 × (9×16) = 396×704; 191:100 → 382×200.
    assert.deepEqual(sizes, [{ width: 400, height: 225 }, { width: 396, height: 704 }, { width: 382, height: 200 }]);
  }
  const fallback = await pick(video('face.mp4'), { top: 2, crops: ['4:5'], decoder: 'video-element' });
  assert.equal(fallback.report.decoder, 'video-element');
  checkCrops(fallback.candidates, ['4:5']);
  for (const c of fallback.candidates) assert.ok(await contentDifference(c, c.crops[2]) < 10);
});

test('bad crop ratios reject with INVALID_ARGUMENT before anything is decoded', async () => {
  for (const crops of [['16:0'], ['wide'], [16], ['1:50']]) {
    await page.setInputFiles('#file', video('face.mp4'));
    const r = await page.evaluate((o) => window.framepickDemo.pickFromInput(o), { top: 1, crops });
    assert.equal(r.error?.code, 'INVALID_ARGUMENT', `${JSON.stringify(crops)}: ${JSON.stringify(r)}`);
    assert.match(r.error.message, /crop/);
  }
});
