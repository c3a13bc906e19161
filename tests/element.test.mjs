// <frame-picker> in headless Chromium: a real video through the file input, the real
// worker and wasm, picks with face boxes, keyboard selection, upload to a real local
// server, the error event, escaping, and a screenshot (tests/.generated/element.png).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../www/server.mjs';
import { startUploadServer } from './upload-server.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TESTS = join(ROOT, 'tests');
const VIDEOS = execFileSync('bash', [join(TESTS, 'make_videos.sh')]).toString().trim();
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'];

let browser;
let server;
let uploads;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.FRAMEPICK_CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
  server = await startServer({ root: join(ROOT, 'www'), extraRoots: { '/t/': TESTS } });
  uploads = await startUploadServer({ cors: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
  await uploads?.close();
});

async function openPage(query = '') {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(new URL(`t/element-page.html${query}`, server.url).href);
  await page.waitForFunction(() => window.framepickReady === true);
  return { page, errors };
}

const events = (page, type) => page.evaluate((t) => window.framepickEvents.filter((e) => e.type === t), type);

test('drop a video in, see picks with faces, select two by keyboard, upload exactly those', async () => {
  const uploadUrl = `${uploads.url}/picks`;
  const { page, errors } = await openPage(`?upload=${encodeURIComponent(uploadUrl)}`);
  const el = page.locator('frame-picker');

  // Accessible names (Playwright's role queries pierce the shadow root).
  const input = page.getByLabel(/Drop a video here/);
  assert.equal(await input.count(), 1, 'the file input is labelled');
  await input.setInputFiles(join(VIDEOS, 'face.mp4'));

  await page.waitForFunction(() => window.framepickEvents.some((e) => e.type === 'pick' || e.type === 'error'),
    null, { timeout: 60_000 });
  const picked = await events(page, 'pick');
  assert.equal(picked.length, 1, JSON.stringify(await events(page, 'error')));
  assert.equal(picked[0].detail.count, 4);
  assert.ok(picked[0].detail.faces.some((n) => n > 0), 'no face in any pick');

  // Progress events: a stage and a fraction that never goes down.
  const progress = (await events(page, 'progress')).map((e) => e.detail);
  assert.ok(progress.length > 2, `progress events: ${progress.length}`);
  for (let i = 1; i < progress.length; i++) {
    assert.ok(progress[i].fraction >= progress[i - 1].fraction, 'progress went down');
    assert.equal(typeof progress[i].stage, 'string');
  }

  // The grid: 4 picks, face boxes drawn, images loaded, score and caption shown.
  const picks = el.locator('li.pick');
  assert.equal(await picks.count(), 4);
  assert.ok(await el.locator('[part="face-box"]').count() >= 1, 'no face box drawn');
  const loaded = await el.locator('img[part="image"]').evaluateAll((imgs) =>
    imgs.map((i) => i.complete && i.naturalWidth));
  assert.deepEqual(loaded, [1280, 1280, 1280, 1280]);
  const title = await picks.first().getAttribute('title');
  assert.match(title, /^Frame at \d+\.\d\d s, score \d+/);
  assert.match(await el.locator('[part="stage"]').textContent(), /face\.mp4: 4 picks/);

  // Keyboard: Tab to the first two checkboxes (past the first pick's crop shapes, one tab
  // stop) and tick them with Space.
  const upload = el.locator('[part="upload-button"]');
  assert.equal(await upload.isDisabled(), true, 'upload enabled with nothing selected');
  await el.locator('input[type=checkbox]').first().focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.querySelector('frame-picker').shadowRoot.activeElement.textContent),
    '16:9', 'the crop shapes come after the checkbox');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Space');
  const checked = await el.locator('input[type=checkbox]').evaluateAll((b) => b.map((x) => x.checked));
  assert.deepEqual(checked, [true, true, false, false]);
  assert.equal(await upload.textContent(), 'Upload 2 selected');

  // Tab to the Upload button and press Enter.
  await upload.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.framepickEvents.some((e) => e.type === 'upload' || e.type === 'error'),
    null, { timeout: 30_000 });
  const up = await events(page, 'upload');
  assert.equal(up.length, 1, JSON.stringify(await events(page, 'error')));
  assert.equal(up[0].detail.length, 2);
  assert.equal(uploads.requests.length, 2, 'exactly two POSTs');
  for (const r of uploads.requests) {
    assert.equal(r.method, 'POST');
    const file = r.parts.find((p) => p.name === 'file');
    assert.equal(file.type, 'image/jpeg');
    assert.deepEqual([...file.data.subarray(0, 2)], [0xff, 0xd8]);
  }
  const times = uploads.requests.map((r) => JSON.parse(r.parts.find((p) => p.name === 'metadata').value).index).sort();
  assert.deepEqual(times, [0, 1]);

  mkdirSync(join(TESTS, '.generated'), { recursive: true });
  await el.locator('li.pick').nth(1).hover();
  await el.locator('li.pick').nth(2).locator('[part="shape-button"]', { hasText: '9:16' }).click();
  await page.waitForTimeout(300); // the caption fades in
  await page.screenshot({ path: join(TESTS, '.generated/element.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a file that is not a video fires error with UNSUPPORTED_CONTAINER', async () => {
  const { page } = await openPage();
  await page.locator('frame-picker input[type=file]').setInputFiles(join(TESTS, 'fixtures/coffee.jpg'));
  await page.waitForFunction(() => window.framepickEvents.some((e) => e.type === 'error' || e.type === 'pick'),
    null, { timeout: 30_000 });
  const errs = await events(page, 'error');
  assert.equal(errs.length, 1);
  assert.equal(errs[0].detail.code, 'UNSUPPORTED_CONTAINER');
  assert.equal(typeof errs[0].detail.message, 'string');
  const alert = await page.getByRole('alert').textContent();
  assert.match(alert, /UNSUPPORTED_CONTAINER/);
  await page.close();
});

test('Cancel aborts a running pick with code ABORTED', async () => {
  const { page } = await openPage();
  await page.locator('frame-picker input[type=file]').setInputFiles(join(VIDEOS, 'sample.mp4'));
  await page.waitForFunction(() => window.framepickEvents.some((e) => e.type === 'progress' && e.detail.stage === 'decode'),
    null, { timeout: 30_000 });
  await page.locator('frame-picker [part="cancel-button"]').click();
  await page.waitForFunction(() => window.framepickEvents.some((e) => e.type === 'error' || e.type === 'pick'),
    null, { timeout: 20_000 });
  const errs = await events(page, 'error');
  assert.equal(errs[0]?.detail.code, 'ABORTED');
  assert.equal(await page.locator('frame-picker [part="stage"]').textContent(), 'Cancelled.');
  await page.close();
});

test('candidate data and file names are rendered as text, never as markup', async () => {
  const { page } = await openPage();
  const result = await page.evaluate(async () => {
    window.__pwned = 0;
    const el = document.querySelector('frame-picker');
    const evil = '<img src=x onerror="window.__pwned=1">';
    el.showCandidates([{
      time: 1, ptsUs: 1e6, score: 0.9, width: 640, height: 360,
      scores: { quality: 0.8, [evil]: 0.5 },
      quality: { brightness: 0.5, contrast: 0.2, sharpness: 0.9, uniformity: 0.2 },
      faces: [{ x: 10, y: 10, width: 100, height: 120, score: 0.99, landmarks: [],
        emotion: { label: evil, probabilities: {} } }],
      editableRegion: { x: 0.5, y: 0, width: 0.5, height: 1 },
      why: [evil, '<b>bold</b> & "quoted"'],
      blob: new Blob([new Uint8Array([0xff, 0xd8])], { type: 'image/jpeg' }),
    }]);
    await new Promise((r) => setTimeout(r, 200));
    const root = el.shadowRoot;
    return {
      pwned: window.__pwned,
      imgs: [...root.querySelectorAll('img')].map((i) => i.getAttribute('src')),
      bold: root.querySelectorAll('b').length,
      captions: [...root.querySelectorAll('[part="caption"] li')].map((li) => li.textContent),
      label: root.querySelector('[part="face-label"]').textContent,
      region: !!root.querySelector('[part="editable-region"]'),
      title: root.querySelector('li.pick').title,
    };
  });
  assert.equal(result.pwned, 0);
  assert.equal(result.imgs.length, 1, 'only the pick image itself');
  assert.match(result.imgs[0], /^blob:/);
  assert.equal(result.bold, 0);
  assert.deepEqual(result.captions, ['<img src=x onerror="window.__pwned=1">', '<b>bold</b> & "quoted"']);
  assert.equal(result.label, '<img src=x onerror="window.__pwned=1">');
  assert.equal(result.region, true);
  assert.match(result.title, /<b>bold<\/b>/);

  // A hostile file name ends up in the status line as text.
  await page.evaluate(() => {
    const el = document.querySelector('frame-picker');
    const f = new File([new Uint8Array(16)], '<img src=y onerror="window.__pwned=2">.mp4', { type: 'video/mp4' });
    return el.pickFile(f).catch(() => {});
  });
  assert.equal(await page.evaluate(() => window.__pwned), 0);
  assert.equal(await page.evaluate(() => document.querySelector('frame-picker').shadowRoot.querySelectorAll('img').length), 0);
  await page.close();
});

test('shape buttons outline each crop over the pick, one at a time', async () => {
  const { page, errors } = await openPage();
  const r = await page.evaluate(async () => {
    const el = document.querySelector('frame-picker');
    const crop = (ratio, x, y, width, height, cutsFaces = false) => ({ ratio, x, y, width, height,
      score: 0.8, reason: `keeps the face ${ratio}`, cutsFaces, fits: !cutsFaces, upscale: false });
    el.showCandidates([{
      time: 1, ptsUs: 1e6, score: 0.9, width: 1280, height: 720, scores: {}, faces: [], why: [],
      crops: [crop('16:9', 0, 0, 1280, 720), crop('1:1', 280, 0, 720, 720), crop('4:5', 352, 0, 576, 720),
        crop('9:16', 640, 0, 405, 720, true), { ratio: '21:1', x: 0, y: 0, width: 0, height: 0, upscale: true }],
      blob: new Blob([new Uint8Array([0xff, 0xd8])], { type: 'image/jpeg' }),
    }]);
    const root = el.shadowRoot;
    const buttons = [...root.querySelectorAll('[part="shape-button"]')];
    const box = () => {
      const b = root.querySelectorAll('[part="crop-box"]');
      const pc = (v) => Math.round(parseFloat(v) * 100) / 100;
      return b.length === 1 ? { n: 1, left: pc(b[0].style.left), width: pc(b[0].style.width) } : { n: b.length };
    };
    const pressed = () => buttons.map((b) => b.getAttribute('aria-pressed'));
    const out = { labels: buttons.map((b) => b.textContent), cuts: buttons.map((b) => b.classList.contains('cuts')),
      title: buttons[3].title, before: box() };
    buttons[3].click();
    out.nine = box(); out.pressed9 = pressed();
    buttons[1].click();
    out.square = box(); out.pressed1 = pressed();
    buttons[1].click();
    out.off = box();
    // Arrow keys move along the toolbar.
    buttons[0].focus();
    buttons[0].dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    out.keys = { focused: root.activeElement?.textContent, tabIndex: buttons.map((b) => b.tabIndex) };
    return out;
  });
  assert.deepEqual(r.labels, ['16:9', '1:1', '4:5', '9:16'], 'a crop the frame is too small for has no button');
  assert.deepEqual(r.cuts, [false, false, false, true]);
  assert.match(r.title, /^9:16: 405×720, score 80 — keeps the face 9:16/);
  assert.deepEqual(r.before, { n: 0 });
  assert.deepEqual(r.nine, { n: 1, left: 50, width: 31.64 }); // 405 / 1280
  assert.deepEqual(r.keys, { focused: '1:1', tabIndex: [-1, 0, -1, -1] });
  assert.deepEqual(r.pressed9, ['false', 'false', 'false', 'true']);
  assert.equal(r.square.n, 1);
  assert.equal(r.square.left, 21.88); // 280 / 1280
  assert.deepEqual(r.pressed1, ['false', 'true', 'false', 'false']);
  assert.deepEqual(r.off, { n: 0 });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the element disposes its worker when removed and recreates it on the next run', async () => {
  const { page } = await openPage();
  const r = await page.evaluate(async () => {
    const el = document.querySelector('frame-picker');
    const p1 = await el.getPicker();
    el.remove();
    document.body.append(el);
    const p2 = await el.getPicker();
    return { same: p1 === p2, info: p2.info.flavour };
  });
  assert.equal(r.same, false);
  assert.ok(['threads', 'single'].includes(r.info));
  await page.close();
});
