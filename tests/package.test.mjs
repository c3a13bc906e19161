// The npm package as a user gets it: `npm pack`, the tarball's contents, installed into
// examples/vite-app, built with Vite, served with COOP/COEP and driven in headless
// Chromium to a pick on face.mp4 and an upload to a real local server.
// Vite comes from the npm registry the first time (cached in examples/vite-app/node_modules).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../www/server.mjs';
import { startUploadServer } from './upload-server.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const APP = join(ROOT, 'examples/vite-app');
const VIDEOS = execFileSync('bash', [join(ROOT, 'tests/make_videos.sh')]).toString().trim();
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'];
const NPM_QUIET = ['--no-audit', '--no-fund', '--loglevel=error'];

const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  timeout: 240_000, env: { ...process.env, npm_config_update_notifier: 'false' } });

let packed; // { filename, files: [{path, size}] }
let tarball;
let tmp;

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'framepick-pack-'));
  [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', tmp, ...NPM_QUIET], ROOT));
  tarball = join(tmp, packed.filename);
});

after(() => rmSync(tmp, { recursive: true, force: true }));

test('npm pack ships the library, the types, the three wasm builds, the models and the CLI', () => {
  const files = new Set(packed.files.map((f) => f.path));
  const needed = [
    'package.json', 'README.md', 'bin/framepick.mjs',
    'www/framepick.js', 'www/worker.js', 'www/upload.js', 'www/element.js', 'www/server.mjs', 'www/encode-crops.js',
    'www/framepick.d.ts', 'www/element.d.ts',
    'www/worker/common.js', 'www/worker/init.js', 'www/worker/analysis.js', 'www/worker/decode.js',
    'www/worker/measure.js', 'www/worker/audio.js', 'www/worker/encode.js', 'www/worker/inspect.js',
    'www/worker/gpu.js', 'www/worker/hold.js', 'www/worker/features.js',
    'www/pkg/threads/framepick.js', 'www/pkg/threads/framepick_bg.wasm',
    'www/pkg/single/framepick.js', 'www/pkg/single/framepick_bg.wasm',
    'www/pkg/baseline/framepick.js', 'www/pkg/baseline/framepick_bg.wasm',
    'www/pkg/models/retinaface-mnet025.onnx',
  ];
  for (const f of needed) assert.ok(files.has(f), `${f} missing from the tarball`);
  assert.ok([...files].some((f) => /^www\/pkg\/threads\/snippets\/.*workerHelpers.*\.js$/.test(f)),
    'the rayon worker helper is missing');
  assert.ok(![...files].some((f) => /^(src|target|tests|bench|scripts|examples)\//.test(f)),
    'sources or tests leaked into the package');

  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  assert.equal(pkg.exports['.'].types, './www/framepick.d.ts');
  assert.equal(pkg.exports['./element'].default, './www/element.js');
  for (const entry of [pkg.types, pkg.exports['.'].types, pkg.exports['./element'].types]) {
    assert.ok(files.has(entry.replace(/^\.\//, '')), `${entry} is not packed`);
  }
});

test('the Vite example installs the tarball, builds, and picks and uploads in Chromium', async () => {
  // Install the tarball under the name the example's package.json declares.
  const appPkg = JSON.parse(readFileSync(join(APP, 'package.json'), 'utf8'));
  const spec = appPkg.dependencies.framepick;
  assert.match(spec, /^file:.*\.tgz$/);
  copyFileSync(tarball, join(APP, spec.slice('file:'.length)));
  rmSync(join(APP, 'node_modules/framepick'), { recursive: true, force: true });
  rmSync(join(APP, 'dist'), { recursive: true, force: true });
  npm(['install', '--no-package-lock', '--prefer-offline', ...NPM_QUIET], APP);
  assert.ok(existsSync(join(APP, 'node_modules/framepick/www/element.js')));

  const build = execFileSync(process.execPath, [join(APP, 'node_modules/vite/bin/vite.js'), 'build'],
    { cwd: APP, encoding: 'utf8', timeout: 120_000 });
  assert.match(build, /built in/);
  const dist = join(APP, 'dist');
  assert.ok(statSync(join(dist, 'assets/pkg/threads/framepick_bg.wasm')).size > 1e6, 'wasm not copied');

  const site = await startServer({ root: dist });
  const uploads = await startUploadServer({ cors: true });
  const browser = await chromium.launch({
    executablePath: process.env.FRAMEPICK_CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${site.url}?upload=${encodeURIComponent(`${uploads.url}/picks`)}`);
    // Crop images: the worker loads encode-crops.js from beside it (the plugin copied it).
    await page.evaluate(() => { document.querySelector('frame-picker').pickOptions = { crops: ['9:16'] }; });
    await page.locator('frame-picker input[type=file]').setInputFiles(join(VIDEOS, 'face.mp4'));
    await page.waitForFunction(() => window.lastPick || /^error/.test(document.getElementById('log').textContent),
      null, { timeout: 60_000 });
    const r = await page.evaluate(() => ({
      log: document.getElementById('log').textContent,
      isolated: self.crossOriginIsolated,
      count: window.lastPick?.candidates.length,
      faces: window.lastPick?.candidates.map((c) => c.faces.length),
      wasm: window.lastPick?.report.wasm,
      stories: window.lastPick?.candidates.map((c) => c.crops.find((k) => k.ratio === '9:16')?.blob?.size > 0),
    }));
    assert.equal(r.count, 6, r.log);
    assert.equal(r.isolated, true);
    assert.equal(r.wasm, 'threads');
    assert.ok(r.faces.some((n) => n > 0), 'no face found');
    assert.ok(r.stories.every(Boolean), `9:16 crop images: ${r.stories}`);

    await page.locator('frame-picker input[type=checkbox]').first().check();
    await page.locator('frame-picker [part="upload-button"]').click();
    await page.waitForFunction(() => /^(uploaded|error)/.test(document.getElementById('log').textContent),
      null, { timeout: 30_000 });
    assert.equal(await page.locator('#log').textContent(), 'uploaded 1 picks');
    assert.equal(uploads.requests.length, 1);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await site.close();
    await uploads.close();
  }
});

test('the .d.ts files type-check an app that uses the whole API (tsc --strict)', () => {
  // typescript is fetched by npx into its cache, not added to the package.
  const out = execFileSync('npx', ['-y', '-p', 'typescript@5', 'tsc', '-p', 'tests/types'],
    { cwd: ROOT, encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(out.trim(), '');
});
