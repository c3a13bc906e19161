// The command line as a user runs it: `node bin/framepick.mjs …` in a child process,
// its exit status, stdout, stderr and the files it writes. The picks run in the real
// browser found on this machine (the discovery under test), on small videos made here
// with ffmpeg from the astronaut photo.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { imageSize, parseCommandLine, NICHES } from '../bin/framepick.mjs';
import { browserCandidates, findBrowser } from '../bin/browsers.mjs';
import { acquireProfile, cacheDir, PROFILE_SLOTS, BASE_PORT } from '../bin/profile.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'bin/framepick.mjs');
const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
const BUILT = existsSync(join(ROOT, 'www/pkg/single/framepick.js')) && existsSync(join(ROOT, 'www/pkg/threads/framepick.js'));
const needsBuild = BUILT ? {} : { skip: 'www/pkg is not built (npm run build)' };

let tmp;
let videos; // name → path

/** Run the CLI; resolves to { code, stdout, stderr, ms }. */
function cli(args, { env = {}, cwd = tmp, timeout = 240_000 } = {}) {
  return new Promise((done, fail) => {
    const t0 = Date.now();
    // The kept browser profiles go in this run's folder, not the user's cache.
    const child = spawn(process.execPath, [CLI, ...args],
      { cwd, env: { ...process.env, FRAMEPICK_DEBUG: '', FRAMEPICK_CACHE_DIR: join(tmp, 'cache'), ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); fail(new Error(`timed out: ${args.join(' ')}\n${stderr}`)); }, timeout);
    child.on('close', (code) => { clearTimeout(timer); done({ code, stdout, stderr, ms: Date.now() - t0 }); });
  });
}

const ffmpeg = (args) => execFileSync('ffmpeg', ['-v', 'error', '-y', ...args], { stdio: 'pipe' });

/** The payload of the first `name` box inside `stsd` (ftyp lists `avc1` as a brand too). */
function boxInStsd(buf, name) {
  const stsd = buf.indexOf('stsd');
  const at = buf.indexOf(name, stsd);
  return { start: at + 4, end: at - 4 + buf.readUInt32BE(at - 4) };
}

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'framepick-cli-'));
  const astro = join(ROOT, 'tests/fixtures/astronaut.jpg');
  const pan = ['-loop', '1', '-framerate', '25', '-t', '4', '-i', astro, '-vf',
    "scale=480:480,crop=480:270:0:'min(200,50*t)'", '-t', '4', '-an'];
  videos = {
    a: join(tmp, 'in/a.mp4'), b: join(tmp, 'in/b.webm'), broken: join(tmp, 'in/broken.mp4'),
    mp4v: join(tmp, 'odd/mpeg4-part2.mp4'), zeroAvcc: join(tmp, 'odd/zeroed-avcc.mp4'),
  };
  mkdirSync(join(tmp, 'in'));
  mkdirSync(join(tmp, 'odd'));
  ffmpeg([...pan, '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', '25', videos.a]);
  ffmpeg([...pan, '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '500k', '-g', '25', videos.b]);
  // Cut short: the moov (at the end) is gone.
  const a = readFileSync(videos.a);
  writeFileSync(videos.broken, a.subarray(0, Math.floor(a.length / 2)));
  // MPEG-4 Part 2 (old cameras and phones): sample entry `mp4v`.
  ffmpeg([...pan, '-c:v', 'mpeg4', '-q:v', '5', videos.mp4v]);
  // The H.264 decoder configuration zeroed, as a damaged file or a broken muxer leaves it.
  const z = Buffer.from(a);
  const avcc = boxInStsd(z, 'avcC');
  z.fill(0, avcc.start, avcc.end);
  writeFileSync(videos.zeroAvcc, z);
});

after(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

// ── without a browser ──

test('help at every level exits 0 and prints the usage on stdout', async () => {
  for (const args of [['--help'], ['-h'], ['help'], ['pick', '--help'], ['pick', '-h'], ['help', 'pick'],
    ['--help', 'pick'], ['pick', 'video.mp4', '--help']]) {
    const r = await cli(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, /^Usage: framepick /, args.join(' '));
    assert.equal(r.stderr, '', args.join(' '));
  }
  const pick = await cli(['pick', '--help']);
  for (const option of ['--top', '--out', '--json', '--jsonl', '--format', '--quality', '--max-width', '--niche',
    '--interval', '--threads', '--gpu', '--no-gpu', '--browser', '--crop', 'FRAMEPICK_CHROMIUM']) {
    assert.ok(pick.stdout.includes(option), `pick --help does not mention ${option}`);
  }
});

test('--version prints the package version', async () => {
  for (const args of [['--version'], ['pick', '--version']]) {
    const r = await cli(args);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), VERSION);
  }
});

test('a bad command line exits 2 naming the option or value, before any browser starts', async () => {
  const cases = [
    [['pick', '--bogus', 'a.mp4'], /unknown option --bogus/],
    [['pick', 'a.mp4', '--bogus'], /unknown option --bogus/],
    [['--bogus', 'pick', 'a.mp4'], /unknown option --bogus/],
    [['pick', 'a.mp4', '-x'], /unknown option -x/],
    [['pick', '--top', '0', 'a.mp4'], /--top needs a whole number of at least 1, not '0'/],
    [['pick', 'a.mp4', '--top'], /--top needs a value/],
    [['pick', '--top', 'five', 'a.mp4'], /--top .*'five'/],
    [['pick', '--quality', '85', 'a.mp4'], /--quality needs a number from 0 to 1, not '85' \(for 85 % write 0.85\)/],
    [['pick', '--format', 'gif', 'a.mp4'], /--format must be jpeg or webp, not 'gif'/],
    [['pick', '--max-width', '0', 'a.mp4'], /--max-width/],
    [['pick', '--niche', 'cooking', 'a.mp4'], /--niche must be one of general, vlog/],
    [['pick', '--crop', '16:0', 'a.mp4'], /--crop needs a shape W:H .*'16:0'/],
    [['pick', '--crop', '16:9,square', 'a.mp4'], /--crop .*'square'/],
    [['pick', '--crop', '1:50', 'a.mp4'], /--crop .*'1:50'/],
    [['pick', '--gpu=yes', 'a.mp4'], /--gpu takes no value/],
    [['pick', '--gpu', '--no-gpu', 'a.mp4'], /--gpu and --no-gpu/],
    [['pick'], /no video given/],
    [[], /no command given/],
    [['a.mp4'], /unknown command a.mp4/],
  ];
  for (const [args, message] of cases) {
    // No browser can be found: a usage error must come first.
    const r = await cli(args, { env: { FRAMEPICK_BROWSER_PATHS: '', FRAMEPICK_CHROMIUM: '' } });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.match(r.stderr, /Try 'framepick (pick )?--help'/);
    assert.equal(r.stdout, '');
  }
});

test('the niches the CLI accepts are the pipeline\'s (src/choosing/profiles.rs)', () => {
  const rust = readFileSync(join(ROOT, 'src/choosing/profiles.rs'), 'utf8');
  const body = /pub enum Niche \{([^}]*)\}/.exec(rust)[1];
  const variants = body.split('\n').map((l) => l.trim()).filter((l) => /^[A-Z]\w*,?$/.test(l))
    .map((l) => l.replace(',', '').toLowerCase());
  assert.deepEqual([...NICHES].sort(), variants.sort());
  assert.equal(parseCommandLine(['pick', 'v.mp4', '--niche', 'Vlog']).opts.niche, 'vlog');
});

test('options go before or after the files and parse the same', () => {
  const a = parseCommandLine(['pick', '--top', '3', '--json', 'out.json', 'v.mp4', 'w.mp4']);
  const b = parseCommandLine(['pick', 'v.mp4', '--top=3', 'w.mp4', '--json', 'out.json']);
  const c = parseCommandLine(['--top', '3', 'pick', 'v.mp4', '-n3', 'w.mp4', '--json=out.json']);
  assert.deepEqual(a, b);
  assert.deepEqual(a, c);
  assert.deepEqual(a.videos, ['v.mp4', 'w.mp4']);
  assert.equal(a.opts.top, 3);
  assert.equal(a.opts.json, 'out.json');
  assert.equal(parseCommandLine(['pick', 'v.mp4', '--format', 'JPG']).opts.format, 'jpeg');
  assert.equal(parseCommandLine(['pick', 'v.mp4', '--no-gpu']).opts.gpu, false);
  // A file whose name starts with '-' after `--`.
  assert.deepEqual(parseCommandLine(['pick', '--', '-odd.mp4']).videos, ['-odd.mp4']);
});

test('no browser found: one clear message saying what to install, exit 1', async () => {
  const r = await cli(['pick', join(ROOT, 'tests/fixtures/tiny.mp4')],
    { env: { FRAMEPICK_BROWSER_PATHS: '', FRAMEPICK_CHROMIUM: '' } });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /no Chrome, Chromium or Edge was found/);
  assert.match(r.stderr, /Install .*(Chromium|Chrome)/);
  assert.match(r.stderr, /FRAMEPICK_CHROMIUM/);
  assert.equal(r.stderr.match(/framepick:/g).length, 1, 'one message');
  assert.doesNotMatch(r.stderr, /at .*\.mjs:\d+/, 'no stack trace');

  const wrong = await cli(['pick', join(ROOT, 'tests/fixtures/tiny.mp4')], { env: { FRAMEPICK_CHROMIUM: join(tmp, 'no-chrome') } });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /FRAMEPICK_CHROMIUM is .*no-chrome, which is not an executable file/);
  const flag = await cli(['pick', join(ROOT, 'tests/fixtures/tiny.mp4'), '--browser', join(tmp, 'no-chrome')]);
  assert.equal(flag.code, 1);
  assert.match(flag.stderr, /--browser is .*no-chrome/);
});

test('browser discovery: Chrome, Chromium and Edge paths on Linux, macOS and Windows', () => {
  const env = { PATH: '/usr/bin', LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local', PROGRAMFILES: 'C:\\Program Files' };
  const paths = (platform) => browserCandidates({ platform, env }).map((c) => c.path);
  const linux = paths('linux');
  for (const p of ['/usr/bin/chromium', '/opt/google/chrome/chrome', '/usr/bin/google-chrome', '/opt/microsoft/msedge/msedge']) {
    assert.ok(linux.includes(p), `linux: ${p}`);
  }
  const mac = paths('darwin');
  for (const p of ['/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium', '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge']) {
    assert.ok(mac.includes(p), `macOS: ${p}`);
  }
  const win = paths('win32');
  for (const p of ['C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
    'C:\\Users\\u\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe',
    'C:\\Program Files\\Microsoft\\Edge\\Application\\msedge.exe']) {
    assert.ok(win.includes(p), `Windows: ${p}`);
  }
  // The override list, and the first executable in it wins.
  const fake = join(tmp, 'fake-chrome');
  writeFileSync(fake, '#!/bin/sh\n', { mode: 0o755 });
  const found = findBrowser({ env: { FRAMEPICK_BROWSER_PATHS: [join(tmp, 'nothing'), fake].join(':') } });
  assert.deepEqual(found, { path: fake, source: 'FRAMEPICK_BROWSER_PATHS' });
  assert.equal(findBrowser({ env: { FRAMEPICK_CHROMIUM: fake, FRAMEPICK_BROWSER_PATHS: '' } }).path, fake);
  assert.throws(() => findBrowser({ env: { FRAMEPICK_BROWSER_PATHS: '' } }), { code: 'BROWSER_NOT_FOUND' });
});

test('kept profiles: the cache folder of each platform, one slot per run, stale locks taken over', () => {
  assert.equal(cacheDir({ XDG_CACHE_HOME: '/x/cache' }, 'linux', '/home/u'), '/x/cache/framepick');
  assert.equal(cacheDir({}, 'linux', '/home/u'), '/home/u/.cache/framepick');
  assert.equal(cacheDir({}, 'darwin', '/Users/u'), '/Users/u/Library/Caches/framepick');
  assert.equal(cacheDir({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32', 'C:\\Users\\u'),
    join('C:\\Users\\u\\AppData\\Local', 'framepick', 'Cache'));
  assert.equal(cacheDir({ FRAMEPICK_CACHE_DIR: '/somewhere' }, 'linux', '/home/u'), '/somewhere');
  assert.equal(cacheDir({ FRAMEPICK_CACHE_DIR: 'off' }, 'linux', '/home/u'), null);
  assert.equal(acquireProfile({ root: null }), null);

  const root = join(tmp, 'slots');
  const held = [];
  for (let i = 0; i < PROFILE_SLOTS; i++) held.push(acquireProfile({ root, browser: '/usr/bin/chromium' }));
  assert.deepEqual(held.map((p) => p.port), held.map((_, i) => BASE_PORT + i), 'each slot its own port');
  assert.equal(new Set(held.map((p) => p.dir)).size, PROFILE_SLOTS);
  assert.equal(acquireProfile({ root, browser: '/usr/bin/chromium' }), null, 'every slot busy: a throwaway profile');
  const edge = acquireProfile({ root, browser: '/opt/microsoft/msedge/msedge' });
  assert.ok(edge && !held.some((p) => p.dir === edge.dir), 'another browser has profiles of its own');
  held[1].release();
  assert.equal(acquireProfile({ root, browser: '/usr/bin/chromium' }).dir, held[1].dir, 'a released slot is free again');
  // A lock left by a process that is gone (a killed run) does not keep the slot.
  const dead = spawn(process.execPath, ['-e', '']);
  return new Promise((done) => dead.on('close', () => {
    writeFileSync(`${held[2].dir}.lock`, String(dead.pid));
    assert.equal(acquireProfile({ root, browser: '/usr/bin/chromium' }).dir, held[2].dir);
    done();
  }));
});

test('a missing file fails alone, exit 1, without starting a browser', async () => {
  const r = await cli(['pick', join(tmp, 'nothere.mp4')], { env: { FRAMEPICK_BROWSER_PATHS: '', FRAMEPICK_CHROMIUM: '' } });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /nothere\.mp4: NOT_FOUND: no such file/);
  assert.doesNotMatch(r.stderr, /Chrome/);
});

// ── in the browser ──

test('pick --top 3 --json out.json video.mp4: options first, picks and the report where asked', needsBuild, async () => {
  const r = await cli(['pick', '--top', '3', '--json', 'out.json', videos.a]);
  assert.equal(r.code, 0, r.stderr);
  const { candidates, report } = JSON.parse(readFileSync(join(tmp, 'out.json'), 'utf8'));
  assert.equal(candidates.length, 3);
  assert.equal(report.video, videos.a);
  assert.equal(report.decoder, 'webcodecs');
  assert.ok(report.browserExecutable && report.browserVersion, 'the browser used is in the report');
  for (const c of candidates) {
    const bytes = readFileSync(join(tmp, 'picks', c.image));
    assert.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xd8], c.image);
    assert.deepEqual(imageSize(bytes), { width: 480, height: 270 });
    assert.equal(c.imageWidth, 480);
  }
  assert.equal(r.stdout.trim().split('\n').length, 4, r.stdout); // three picks and the summary line
  assert.match(r.stdout, /3 picks in .* report: out\.json/);
  // The browser ran in a kept profile, which it gave back when it closed.
  assert.ok(report.browserProfile.startsWith(join(tmp, 'cache')), report.browserProfile);
  assert.ok(existsSync(join(report.browserProfile, 'Default')), 'Chromium wrote its profile there');
  assert.ok(!existsSync(`${report.browserProfile}.lock`), 'the slot is free again');
});

test('several files with one broken: picks for the good ones, a clear error for the broken, exit 1', needsBuild, async () => {
  const out = join(tmp, 'several');
  const r = await cli(['pick', videos.a, videos.b, videos.broken, join(tmp, 'in/missing.mp4'), '--out', out, '--top', '2']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /broken\.mp4: CORRUPT_MEDIA: /);
  assert.match(r.stderr, /missing\.mp4: NOT_FOUND: no such file/);
  for (const name of ['a', 'b']) {
    const { candidates, report } = JSON.parse(readFileSync(join(out, name, 'report.json'), 'utf8'));
    assert.equal(candidates.length, 2, name);
    for (const c of candidates) assert.ok(existsSync(join(out, name, c.image)), `${name}/${c.image}`);
    assert.equal(report.codec.startsWith(name === 'a' ? 'avc1' : 'vp09'), true, report.codec);
  }
  assert.ok(!existsSync(join(out, 'broken')), 'no folder for the broken file');
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  assert.equal(summary.picked, 2);
  assert.equal(summary.failed, 2);
  assert.deepEqual(summary.videos.map((v) => v.ok), [true, true, false, false]);
  assert.equal(summary.videos[2].error.code, 'CORRUPT_MEDIA');
  assert.match(r.stdout, /4 videos: 2 picked, 2 failed/);
});

test('a folder, --jsonl, --format webp and --quality: one JSON line per video on stdout', needsBuild, async () => {
  const folder = join(tmp, 'folder');
  mkdirSync(folder);
  copyFileSync(videos.a, join(folder, 'one.mp4'));
  copyFileSync(videos.b, join(folder, 'two.webm'));
  writeFileSync(join(folder, 'notes.txt'), 'not a video');
  const out = join(tmp, 'folder-out');
  const r = await cli(['pick', folder, '--jsonl', '--format', 'webp', '--quality', '0.5', '-n', '2', '-o', out]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => [l.ok, l.video]), [[true, join(folder, 'one.mp4')], [true, join(folder, 'two.webm')]]);
  for (const l of lines) {
    assert.equal(l.candidates.length, 2);
    for (const c of l.candidates) {
      const bytes = readFileSync(c.path);
      assert.equal(bytes.toString('ascii', 8, 12), 'WEBP', c.path);
      assert.match(c.image, /\.webp$/);
      assert.deepEqual(imageSize(bytes), { width: 480, height: 270 });
    }
    assert.ok(existsSync(l.json));
  }
  assert.match(r.stderr, /2 videos: 2 picked, 0 failed/); // human lines on stderr with --jsonl
  assert.deepEqual(readdirSync(out).sort(), ['one', 'summary.json', 'two']);
});

test('--max-width scales the picks down', needsBuild, async () => {
  const out = join(tmp, 'small');
  const r = await cli(['pick', videos.a, '--max-width', '240', '--top', '2', '--out', out, '--no-cache']);
  assert.equal(r.code, 0, r.stderr);
  const { candidates, report } = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  assert.equal(report.browserProfile, null, '--no-cache: a throwaway profile');
  for (const c of candidates) assert.deepEqual(imageSize(readFileSync(join(out, c.image))), { width: 240, height: 135 });
});

test('--crop 16:9 --crop 1:1,9:16 writes each pick\'s crops beside it, exact ratio, full resolution', needsBuild, async () => {
  const out = join(tmp, 'crops');
  const r = await cli(['pick', videos.a, '--crop', '16:9', '--crop', '1:1,9x16', '--top', '2', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const { candidates } = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  assert.equal(candidates.length, 2);
  const written = readdirSync(out);
  for (const c of candidates) {
    // Every pick's report has the four shapes; the asked ones name their image.
    assert.deepEqual(c.crops.map((k) => k.ratio), ['16:9', '1:1', '4:5', '9:16']);
    for (const k of c.crops) {
      const [rw, rh] = k.ratio.split(':').map(Number);
      assert.equal(k.width * rh, k.height * rw, JSON.stringify(k));
      assert.ok(k.x + k.width <= c.width && k.y + k.height <= c.height, JSON.stringify(k));
      if (k.ratio === '4:5') {
        assert.equal(k.image, undefined);
        continue;
      }
      assert.equal(k.image, c.image.replace(/\.jpg$/, `-${k.ratio.replace(':', 'x')}.jpg`));
      assert.ok(written.includes(k.image), k.image);
      const size = imageSize(readFileSync(join(out, k.image)));
      assert.deepEqual(size, { width: k.width, height: k.height });
      assert.deepEqual([k.imageWidth, k.imageHeight], [k.width, k.height]);
    }
    const [wide, square, , tall] = c.crops;
    assert.deepEqual([wide.width, wide.height, square.width, tall.width, tall.height], [480, 270, 270, 144, 256]);
  }
  assert.match(r.stdout, /2 picks in/);
});

test('odd files tried as a new user would: mp4v names its codec, a zeroed avcC fails within 2 s', needsBuild, async () => {
  const r = await cli(['pick', videos.mp4v, videos.zeroAvcc, '--jsonl', '--out', join(tmp, 'odd-out')]);
  assert.equal(r.code, 1, r.stderr);
  const [mp4v, zeroed] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(mp4v.ok, false);
  assert.equal(mp4v.error.code, 'UNSUPPORTED_CODEC', JSON.stringify(mp4v.error));
  assert.match(mp4v.error.message, /mp4v \(MPEG-4 Part 2\)/);
  assert.equal(zeroed.ok, false);
  assert.equal(zeroed.error.code, 'CORRUPT_MEDIA', JSON.stringify(zeroed.error));
  assert.match(zeroed.error.message, /avcC/);
  assert.ok(zeroed.wallMs < 2000, `the zeroed avcC took ${zeroed.wallMs} ms to fail`);
  assert.ok(mp4v.wallMs < 2000, `mp4v took ${mp4v.wallMs} ms to fail`);
  assert.match(r.stderr, /mpeg4-part2\.mp4: UNSUPPORTED_CODEC: .*mp4v/);
});
