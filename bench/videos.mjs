// Bench inputs, made with Debian's ffmpeg from lavfi sources and the real photos in
// tests/fixtures (scikit-image's public-domain astronaut — a face — and coffee — none).
// Deterministic (fixed noise seeds, x264 is deterministic) and cached in bench/.cache:
// a file that exists is reused. Each video is a concat (stream copy) of shots encoded
// with the same settings, so cuts are exact and the ground truth is known by construction.
import { existsSync, mkdirSync, renameSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { must } from './lib.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const CACHE = join(HERE, '.cache');
const ASTRO = resolve(HERE, '../tests/fixtures/astronaut.jpg'); // 512×512, face at ≈(177..270, 10..121)
const COFFEE = resolve(HERE, '../tests/fixtures/coffee.jpg');   // 600×400, no face
const FPS = 30;
// Phone-like H.264: High profile, CABAC, B-frames (veryfast), a keyframe every 2 s.
const ENC = ['-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-pix_fmt', 'yuv420p',
  '-r', String(FPS), '-g', String(2 * FPS), '-an'];

const photo = (file, secs) => ['-loop', '1', '-framerate', String(FPS), '-t', String(secs), '-i', file];
const lavfi = (src) => ['-f', 'lavfi', '-i', src];
const noise = (seed, amount = 4) => `noise=alls=${amount}:allf=t:all_seed=${seed}`;

/**
 * Shot library for a W×H frame. Each returns {input: [...], vf, face}: one photo framing
 * or lavfi source. `k` scales the 1280-wide coordinates.
 */
function shots(W, H, grain = 4) {
  const k = W / 1280;
  const noise = (seed) => `noise=alls=${grain}:allf=t:all_seed=${seed}`;
  const r = (x) => Math.round(x * k);
  return {
    astroWide: { face: true, desc: 'astronaut, wide, slow pan down', input: (s) => photo(ASTRO, s),
      vf: `scale=${W}:${W},crop=${W}:${H}:0:'min(${r(40)},${r(8)}*t)',${noise(1)}` },
    astroClose: { face: true, desc: 'astronaut, face close-up, slow pan', input: (s) => photo(ASTRO, s),
      vf: `scale=${2 * W}:${2 * W},crop=${W}:${H}:'${r(400)}+${r(10)}*t':0,${noise(2)}` },
    astroSuit: { face: false, desc: 'astronaut, suit and flag only (no face)', input: (s) => photo(ASTRO, s),
      vf: `scale=${W}:${W},crop=${W}:${H}:0:'${r(560)}-${r(4)}*t',${noise(3)}` },
    astroMirror: { face: true, desc: 'astronaut, mirrored, zoomed, drifting', input: (s) => photo(ASTRO, s),
      vf: `hflip,scale=${r(1600)}:${r(1600)},crop=${W}:${H}:'${r(160)}+${r(10)}*t':'${r(30)}+${r(2)}*t',${noise(4)}` },
    astroGray: { face: true, desc: 'astronaut, black and white, static', input: (s) => photo(ASTRO, s),
      vf: `hue=s=0,scale=${W}:${W},crop=${W}:${H}:0:${r(20)},${noise(5)}` },
    coffeeTop: { face: false, desc: 'coffee, wide, slow pan', input: (s) => photo(COFFEE, s),
      vf: `scale=${W}:${r(854)},crop=${W}:${H}:0:'min(${r(134)},${r(17)}*t)',${noise(6)}` },
    coffeeClose: { face: false, desc: 'coffee, cup close-up', input: (s) => photo(COFFEE, s),
      vf: `scale=${r(2400)}:${r(1600)},crop=${W}:${H}:'${r(560)}+${r(8)}*t':${r(440)},${noise(7)}` },
    coffeeWarm: { face: false, desc: 'coffee, mirrored, warm tint', input: (s) => photo(COFFEE, s),
      vf: `hflip,hue=h=40:s=1.3,scale=${r(1600)}:${r(1067)},crop=${W}:${H}:'${r(12)}*t':${r(200)},${noise(8)}` },
    testsrc: { face: false, desc: 'lavfi testsrc2', input: () => lavfi(`testsrc2=size=${W}x${H}:rate=${FPS}`), vf: 'null' },
    gradients: { face: false, desc: 'lavfi gradients', input: () => lavfi(`gradients=size=${W}x${H}:rate=${FPS}:speed=0.02:seed=11`), vf: noise(9) },
    cellauto: { face: false, desc: 'lavfi cellauto', input: () => lavfi(`cellauto=size=${W}x${H}:rate=${FPS}:rule=110:seed=12`), vf: 'null' },
  };
}

/** Spoiled variants of a shot: {label, vf appended or replaced}. */
function spoil(shot, label, secs, W, H) {
  switch (label) {
    case 'blur': // fast whip pan averaged over 12 frames: real motion blur
      return { input: shot.input, vf: `scale=${2 * W}:-2,crop=${W}:${H}:'mod(${Math.round(W * 1.6)}*t,${W})':0,tmix=frames=12` };
    case 'dark':
      return { input: shot.input, vf: `${shot.vf},eq=brightness=-0.42:contrast=0.6` };
    case 'blown':
      return { input: shot.input, vf: `${shot.vf},eq=brightness=0.55:contrast=0.5` };
    case 'noise':
      return { input: shot.input, vf: `${shot.vf},noise=alls=90:allf=t:all_seed=13` };
    case 'fade':
      return { input: shot.input, vf: `${shot.vf},fade=t=out:st=0:d=${secs}` };
    default: throw new Error(`unknown spoil ${label}`);
  }
}

async function encode(out, args, extra = []) {
  if (existsSync(out)) return out;
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.tmp.mp4`;
  await must('ffmpeg', ['-v', 'error', '-y', ...args, ...ENC, ...extra, tmp]);
  renameSync(tmp, out);
  return out;
}

async function segment(dir, name, secs, input, vf, extra = []) {
  return encode(join(dir, `${name}-${secs}s.mp4`),
    [...input(secs), '-vf', `${vf},format=yuv420p`, '-t', String(secs)], extra);
}

async function crossfade(dir, name, secs, a, b) {
  const fc = `[0:v]${a.vf},format=yuv420p,settb=1/${FPS}[a];[1:v]${b.vf},format=yuv420p,settb=1/${FPS}[b];` +
    `[a][b]xfade=transition=fade:duration=${secs}:offset=0,format=yuv420p`;
  return encode(join(dir, `${name}-${secs}s.mp4`),
    [...a.input(secs), ...b.input(secs), '-filter_complex', fc, '-t', String(secs)]);
}

async function blackSegment(dir, secs, W, H) {
  return encode(join(dir, `black-${secs}s.mp4`),
    [...lavfi(`color=black:size=${W}x${H}:rate=${FPS}`), '-vf', 'format=yuv420p', '-t', String(secs)]);
}

async function concat(out, files) {
  if (existsSync(out)) return out;
  const list = `${out}.txt`;
  writeFileSync(list, files.map((f) => `file '${f}'`).join('\n') + '\n');
  const webm = out.endsWith('.webm');
  const tmp = `${out}.tmp.${webm ? 'webm' : 'mp4'}`;
  await must('ffmpeg', ['-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy',
    ...(webm ? [] : ['-movflags', '+faststart']), tmp]);
  renameSync(tmp, out);
  rmSync(list);
  return out;
}

// ───────────────────────────── speed clips ─────────────────────────────

export const SPEED_CLIPS = {
  // Phone-like bitrates: average bitrate mode (8 Mbit/s at 720p, 16 Mbit/s at 1080p) rather
  // than CRF, which would give these clean stills 1–2 Mbit/s and decode unrealistically fast.
  '30s-720p': { W: 1280, H: 720, bitrate: 8, shots: ['astroWide', 'coffeeTop', 'testsrc', 'astroMirror'], each: 7.5 },
  '2min-1080p': { W: 1920, H: 1080, bitrate: 16, each: 15,
    shots: ['astroWide', 'coffeeTop', 'testsrc', 'astroMirror', 'coffeeWarm', 'gradients', 'astroGray', 'coffeeClose'] },
  // The 2-minute clip five times over (stream copy): same content density, 10 minutes.
  '10min-1080p': { repeat: '2min-1080p', times: 5 },
  // The same pictures at the GOP structures people's files have (issue 14), each one
  // continuous encode of the 2-minute clip (so keyframes fall where the encoder puts them):
  // a keyframe every second; x264 defaults (preset medium, a keyframe at most every 250
  // frames plus one at each scene cut, B-pyramid; moov at the end as ffmpeg writes it);
  // VP9 with libvpx's own GOP defaults (alt-ref frames; `-cpu-used 5` only to encode faster).
  '2min-1080p-gop1': { reencode: '2min-1080p', args: ['-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high',
    '-g', '30', '-b:v', '16M', '-maxrate', '24M', '-bufsize', '32M'] },
  '2min-1080p-x264': { reencode: '2min-1080p', args: ['-c:v', 'libx264', '-b:v', '16M', '-maxrate', '24M', '-bufsize', '32M'] },
  '10min-1080p-x264': { repeat: '2min-1080p-x264', times: 5 },
  '10min-1080p-gop1': { repeat: '2min-1080p-gop1', times: 5 },
  // 4K (issue 15's memory bound): the first minute of the 2-minute clip scaled to 2160p,
  // 2 s GOPs, a 4K phone's bitrate; veryfast only so that making it takes a minute, not ten.
  '1min-4k': { reencode: '2min-1080p', args: ['-t', '60', '-vf', 'scale=3840:2160', '-c:v', 'libx264', '-preset',
    'veryfast', '-g', '60', '-b:v', '40M', '-maxrate', '60M', '-bufsize', '80M'] },
  '2min-1080p-vp9': { reencode: '2min-1080p', ext: 'webm', args: ['-c:v', 'libvpx-vp9', '-b:v', '8M', '-deadline', 'good',
    '-cpu-used', '5', '-row-mt', '1'] },
  '10min-1080p-vp9': { repeat: '2min-1080p-vp9', times: 5, ext: 'webm' },
};

/** A speed clip re-encoded in one go from another (stream structure as the encoder chooses). */
async function reencode(out, src, args) {
  const tmp = `${out}.tmp${out.slice(out.lastIndexOf('.'))}`;
  await must('ffmpeg', ['-v', 'error', '-y', '-i', src, ...args, '-pix_fmt', 'yuv420p', '-an', tmp]);
  renameSync(tmp, out);
  return out;
}

export async function speedClip(name, log = () => {}) {
  const spec = SPEED_CLIPS[name];
  const out = join(CACHE, `${name}.${spec.ext || 'mp4'}`);
  if (existsSync(out)) return out;
  log(`generating ${name} …`);
  if (spec.reencode) return reencode(out, await speedClip(spec.reencode, log), spec.args);
  if (spec.repeat) {
    const base = await speedClip(spec.repeat, log);
    return concat(out, Array(spec.times).fill(base));
  }
  const dir = join(CACHE, `seg-${spec.W}x${spec.H}-${spec.bitrate}M`);
  const lib = shots(spec.W, spec.H);
  const rate = ['-b:v', `${spec.bitrate}M`, '-maxrate', `${spec.bitrate * 1.5}M`, '-bufsize', `${spec.bitrate * 2}M`];
  const files = [];
  for (const s of spec.shots) files.push(await segment(dir, s, spec.each, lib[s].input, lib[s].vf, rate));
  return concat(out, files);
}

// ──────────────────────── labelled quality videos ────────────────────────
// Each item: [kind, seconds, shot, (second shot for crossfades)]. 'good' intervals are
// clean shots; a shot id that appears twice is the duplicated shot. Spoiled intervals
// are labelled with what was done to them.
export const QUALITY_VIDEOS = {
  'q1-mixed': [
    ['good', 6, 'astroWide'], ['blur', 3, 'astroClose'], ['good', 6, 'coffeeTop'], ['dark', 3, 'astroClose'],
    ['good', 6, 'astroClose'], ['black', 2], ['good', 5, 'astroSuit'], ['crossfade', 2, 'astroSuit', 'coffeeClose'],
    ['good', 6, 'coffeeClose'], ['blown', 3, 'astroWide'], ['good', 5, 'astroMirror'], ['noise', 3, 'astroMirror'],
    ['good', 6, 'coffeeWarm'], ['fade', 2, 'astroGray'], ['good', 6, 'astroGray'], ['good', 5, 'astroWide'],
  ],
  'q2-tempting': [ // spoiled spells of the face shots, longer than the clean ones
    ['blown', 4, 'astroClose'], ['good', 4, 'coffeeClose'], ['dark', 5, 'astroMirror'], ['good', 4, 'astroGray'],
    ['noise', 4, 'astroWide'], ['good', 5, 'coffeeTop'], ['blur', 4, 'astroWide'], ['good', 4, 'astroSuit'],
    ['crossfade', 3, 'astroGray', 'astroClose'], ['good', 5, 'astroClose'], ['black', 3], ['good', 4, 'coffeeWarm'],
    ['fade', 3, 'astroMirror'], ['good', 4, 'astroMirror'], ['good', 4, 'astroClose'], ['dark', 4, 'coffeeTop'],
    ['good', 4, 'astroWide'],
  ],
  'q3-long-shots': [ // few long shots: distinct shots are scarce, duplicates tempting
    ['good', 12, 'astroWide'], ['fade', 2, 'astroWide'], ['black', 2], ['good', 12, 'coffeeTop'],
    ['crossfade', 2, 'coffeeTop', 'astroGray'], ['good', 10, 'astroGray'], ['blur', 3, 'coffeeClose'],
    ['good', 10, 'coffeeClose'], ['blown', 3, 'astroMirror'], ['good', 8, 'astroMirror'], ['good', 10, 'astroWide'],
    ['dark', 3, 'coffeeWarm'], ['good', 6, 'coffeeWarm'], ['noise', 3, 'astroSuit'], ['good', 6, 'astroSuit'],
    ['good', 6, 'astroClose'],
  ],
  // The smoke test's short one (bench:smoke).
  'q0-smoke': [
    ['good', 4, 'astroWide'], ['dark', 2, 'astroClose'], ['good', 4, 'coffeeTop'], ['black', 1],
    ['good', 4, 'astroSuit'], ['blur', 2, 'astroClose'], ['good', 4, 'coffeeClose'], ['blown', 2, 'astroWide'],
    ['good', 4, 'astroGray'],
  ],
};

export async function qualityVideo(name, log = () => {}) {
  const out = join(CACHE, `${name}.mp4`);
  const gtPath = join(CACHE, `${name}.truth.json`);
  if (existsSync(out) && existsSync(gtPath)) return { video: out, truth: JSON.parse(readFileSync(gtPath, 'utf8')) };
  log(`generating ${name} …`);
  const W = 1280; const H = 720;
  const dir = join(CACHE, `seg-${W}x${H}`);
  const lib = shots(W, H);
  const files = []; const intervals = []; const used = new Set();
  let t = 0;
  for (const [kind, secs, shot, shot2] of QUALITY_VIDEOS[name]) {
    let file;
    if (kind === 'good') file = await segment(dir, shot, secs, lib[shot].input, lib[shot].vf);
    else if (kind === 'black') file = await blackSegment(dir, secs, W, H);
    else if (kind === 'crossfade') file = await crossfade(dir, `xfade-${shot}-${shot2}`, secs, lib[shot], lib[shot2]);
    else {
      const s = spoil(lib[shot], kind, secs, W, H);
      file = await segment(dir, `${kind}-${shot}`, secs, s.input, s.vf);
    }
    files.push(file);
    intervals.push({ start: t, end: t + secs, label: kind, shot: kind === 'good' ? shot : null,
      // A face is there to be seen (clean or not); only 'good' face intervals count as possible.
      face: kind === 'good' ? lib[shot].face : false,
      ...(kind !== 'good' ? { source: shot2 ? `${shot}→${shot2}` : (shot || 'black') } : {}),
      ...(kind === 'good' && used.has(shot) ? { duplicate: true } : {}) });
    if (kind === 'good') used.add(shot);
    t += secs;
  }
  await concat(out, files);
  const goodShots = [...used];
  const truth = {
    video: `${name}.mp4`, width: W, height: H, fps: FPS, duration: t, intervals,
    shots: Object.fromEntries(goodShots.map((s) => [s, { face: lib[s].face, desc: lib[s].desc }])),
    goodShots: goodShots.length, faceShots: goodShots.filter((s) => lib[s].face).length,
    spoiledSeconds: intervals.filter((i) => i.label !== 'good').reduce((a, i) => a + i.end - i.start, 0),
  };
  writeFileSync(gtPath, JSON.stringify(truth, null, 2));
  return { video: out, truth };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const names = process.argv.slice(2);
  for (const n of names.length ? names : [...Object.keys(SPEED_CLIPS), ...Object.keys(QUALITY_VIDEOS)]) {
    const t0 = Date.now();
    if (SPEED_CLIPS[n]) await speedClip(n, console.log); else await qualityVideo(n, console.log);
    console.log(`${n}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
}
