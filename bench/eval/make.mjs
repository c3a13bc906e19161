#!/usr/bin/env node
// The evaluation videos (issue 13): every video of bench/eval/set.json made with Debian's ffmpeg
// from the real photos and clips of photos.json, with its frame-exact ground truth beside it
// (`<name>.truth.json`) in bench/.cache/eval/videos/.
//
// How: each item of a video (a clean shot, a spoiled spell, a crossfade, black) is encoded alone
// with exactly N frames (N = round(seconds × fps)) and the video's encoder settings, then the
// items are joined by stream copy (ffmpeg's concat demuxer). So every boundary is a frame
// boundary and the truth is known by construction; `verify` checks the frame count and the
// timestamps of the result. Items of the same framing that follow each other (a clean shot, then
// the same shot underexposed, then clean again) continue one camera move: the move is a
// function of the frame index within the run, not of the item. Deterministic: fixed noise
// seeds, x264 and libvpx are deterministic with fixed settings and threads.
//
//   node bench/eval/make.mjs [--split tune|check|ci|all] [--only a,b] [--force] [--jobs 1]
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { must, runBuffer } from '../lib.mjs';
import { ensureMedia, EVAL_CACHE } from './photos.mjs';
import { loadSet, selectVideos } from './set.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const VIDEOS = join(EVAL_CACHE, 'videos');
const SEGS = join(EVAL_CACHE, 'seg');
const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf';
const THREADS = ['-threads', '2'];
// Bump when the way a video is made changes: every video is then made again.
const GENERATOR = 6;

// ───────────────────────────── framings ─────────────────────────────
// A framing says which part of a photo is seen and how it moves, as a window in the photo's
// own pixels: mode 'fill' covers the frame (cropping), 'fit' shows the photo whole inside it
// with black bars (letterbox: bars top and bottom; pillarbox: left and right). z = zoom
// (1 = cover / contain), u,v = the window's centre as a fraction of the photo, each a
// [start, end] pair over the run of the shot. Named presets below; a spec may give an object.
export const FRAMINGS = {
  fill: { mode: 'fill', z: [1.04, 1.04], u: [0.5, 0.5], v: [0.5, 0.5] },
  panR: { mode: 'fill', z: [1.2, 1.2], u: [0.3, 0.7], v: [0.5, 0.5] },
  panL: { mode: 'fill', z: [1.2, 1.2], u: [0.7, 0.3], v: [0.5, 0.5] },
  panD: { mode: 'fill', z: [1.2, 1.2], u: [0.5, 0.5], v: [0.3, 0.7] },
  panU: { mode: 'fill', z: [1.15, 1.15], u: [0.5, 0.5], v: [0.65, 0.35] },
  zoomIn: { mode: 'fill', z: [1.0, 1.3], u: [0.5, 0.5], v: [0.45, 0.45] },
  zoomOut: { mode: 'fill', z: [1.35, 1.05], u: [0.5, 0.5], v: [0.5, 0.5] },
  top: { mode: 'fill', z: [1.0, 1.0], u: [0.5, 0.5], v: [0.0, 0.12] },
  detailTL: { mode: 'fill', z: [2.2, 2.3], u: [0.28, 0.3], v: [0.3, 0.3] },
  detailBR: { mode: 'fill', z: [2.2, 2.2], u: [0.7, 0.74], v: [0.72, 0.72] },
  fit: { mode: 'fit', z: [1, 1], u: [0.5, 0.5], v: [0.5, 0.5] },
  fitIn: { mode: 'fit', z: [1.0, 1.12], u: [0.5, 0.5], v: [0.45, 0.45] },
  fitPan: { mode: 'fit', z: [1.25, 1.25], u: [0.35, 0.65], v: [0.5, 0.5] },
  // face:K[:zoom] — zoom on the K-th largest face (see framing()).
};

const clamp = (x, a, b) => Math.min(Math.max(x, a), b);
const even = (x) => 2 * Math.round(x / 2);
const lerp = (a, b, f) => a + (b - a) * f;

/** The framing object for a name ('face:0' → on the largest face) and a photo. */
export function framing(name, photo) {
  if (typeof name === 'object') return name;
  const m = /^face:(\d+)(?::([\d.]+))?(?::(in|out))?$/.exec(name);
  if (m) {
    const faces = [...photo.faces].sort((a, b) => b[3] - a[3]);
    const f = faces[Number(m[1])];
    if (!f) throw new Error(`${photo.id} has no face ${m[1]}`);
    const u = (f[0] + f[2] / 2) / photo.width; const v = (f[1] + f[3] * 0.6) / photo.height;
    const z = Number(m[2] || 0); // zoom set so the face is this fraction of the frame height
    return { mode: 'fill', faceZoom: z || 0.45, face: Number(m[1]), u: [u, u], v: [v, v],
      move: m[3] || 'in' };
  }
  const f = FRAMINGS[name];
  if (!f) throw new Error(`unknown framing ${name}`);
  // A photo with people: a filled frame that does not pan up or down is centred on the faces
  // (as a person framing it would), not on the middle of the photo.
  if (f.mode === 'fill' && photo.faces?.length && f.v[0] === f.v[1] && !name.startsWith('detail')) {
    const cy = photo.faces.reduce((a, b) => a + b[1] + b[3] / 2, 0) / photo.faces.length / photo.height;
    return { ...f, v: [cy, cy] };
  }
  return f;
}

/**
 * Geometry of a framing on a W×H frame: picture area (aw×ah, the whole frame for 'fill'),
 * base scale (photo px → frame px at z = 1) and the window (photo px) at a fraction of the run.
 */
export function geometry(fr, photo, W, H) {
  const pw = photo.width; const ph = photo.height;
  const cover = Math.max(W / pw, H / ph); const contain = Math.min(W / pw, H / ph);
  const sc = fr.mode === 'fit' ? contain : cover;
  const aw = fr.mode === 'fit' ? Math.min(W, even(pw * sc)) : W;
  const ah = fr.mode === 'fit' ? Math.min(H, even(ph * sc)) : H;
  let z = fr.z;
  if (fr.faceZoom) { // zoom so that the face box is faceZoom of the frame height, a slow push in or out
    const f = [...photo.faces].sort((a, b) => b[3] - a[3])[fr.face];
    const zf = Math.max(1, fr.faceZoom * ah / (f[3] * sc));
    z = fr.move === 'out' ? [zf * 1.08, zf] : [zf, zf * 1.08];
  }
  const at = (f) => {
    const zz = lerp(z[0], z[1], f);
    const ww = aw / (sc * zz); const wh = ah / (sc * zz);
    const cx = clamp(lerp(fr.u[0], fr.u[1], f) * pw, ww / 2, pw - ww / 2);
    const cy = clamp(lerp(fr.v[0], fr.v[1], f) * ph, wh / 2, ph - wh / 2);
    return { x: cx - ww / 2, y: cy - wh / 2, w: ww, h: wh, z: zz };
  };
  return { aw, ah, sc, z, at };
}

/** Faces of the photo seen in a framing over [f0, f1] of its run: {count, face (a clean, big enough one)}. */
export function facesSeen(fr, photo, W, H, f0, f1) {
  const g = geometry(fr, photo, W, H);
  let count = Infinity; let big = Infinity;
  for (const f of [f0, (f0 + f1) / 2, f1]) {
    const w = g.at(f);
    let n = 0; let b = 0;
    for (const [x, y, bw, bh] of photo.faces) {
      const ix = Math.max(0, Math.min(x + bw, w.x + w.w) - Math.max(x, w.x));
      const iy = Math.max(0, Math.min(y + bh, w.y + w.h) - Math.max(y, w.y));
      if (ix * iy < 0.9 * bw * bh) continue; // cut by the frame edge
      n++;
      // "reasonably sized": the face box at least 6 % of the frame's short side
      if (bh * g.sc * w.z >= 0.06 * Math.min(W, H)) b++;
    }
    count = Math.min(count, n); big = Math.min(big, b);
  }
  return { count, face: big > 0 };
}

// ───────────────────────────── spoils ─────────────────────────────
// Each spoil kind with its graded severities: the parameter used and its name.
export const SPOILS = {
  motion: { desc: 'horizontal motion blur (fast pan averaged over 8 frames), blur length as a fraction of the frame width',
    levels: { mild: 0.005, medium: 0.015, strong: 0.03 } },
  box: { desc: 'box blur, radius as a fraction of the frame width', levels: { mild: 0.002, medium: 0.004, strong: 0.008 } },
  dark: { desc: 'underexposed: RGB × gain (+ sensor noise)', levels: { mild: 0.4, medium: 0.25, strong: 0.12 } },
  // [a, b, share]: RGB × a + b, clipped, with a raised (for a dark photo) until at least `share`
  // of the photo's pixels reach white — ×2 + 55 alone leaves a dim photo looking merely bright
  blown: { desc: 'blown out: RGB × a + b, clipped; a raised until at least 30 / 50 / 70 % of the photo clips',
    levels: { mild: [1.6, 40, 0.3], medium: [2.0, 55, 0.5], strong: [2.6, 70, 0.7] } },
  grain: { desc: 'Gaussian grain, σ of 255', levels: { mild: 25, medium: 40, strong: 55 } },
  black: { desc: 'black frames', levels: { full: 1 } },
  fadeout: { desc: 'fade to black (the whole fade)', levels: { full: 1 } },
  fadein: { desc: 'fade from black (the whole fade)', levels: { full: 1 } },
  xfade: { desc: 'crossfade between two shots, by duration', levels: { short: 0.7, long: 2 } },
};

function spoilFilter(kind, level, W, seed, stats = null) {
  if (!SPOILS[kind]) return null; // 'good'
  const p = SPOILS[kind].levels[level];
  switch (kind) {
    case 'box': { const r = Math.max(1, Math.round(p * W)); return `boxblur=luma_radius=${r}:luma_power=1:chroma_radius=${Math.max(1, r >> 1)}:chroma_power=1`; }
    case 'dark': return `format=gbrp,lutrgb=r=val*${p}:g=val*${p}:b=val*${p},noise=alls=4:allf=t:all_seed=${seed}`;
    case 'blown': {
      // the luma below which (1 − share) of the photo lies must reach 255
      const v = stats ? stats.percentiles[Math.round((1 - p[2]) * 100)] : 255;
      const a = Math.max(p[0], (255 - p[1]) / Math.max(v, 8)).toFixed(3);
      return `format=gbrp,lutrgb=r=clipval*${a}+${p[1]}:g=clipval*${a}+${p[1]}:b=clipval*${a}+${p[1]}`;
    }
    // ffmpeg's noise filter (Debian's 5.1): σ of the added luma noise = strength / 1.54, measured
    // on mid grey (strength 43 → σ 27.9, 69 → 44.8).
    case 'grain': return `noise=alls=${Math.round(p * 1.54)}:allf=t:all_seed=${seed}`;
    default: return null;
  }
}

// ───────────────────────────── the filter chain of one item ─────────────────────────────

const SCREEN_TEXT = `// framepick evaluation: a screen recording, text on a plain background
import { FramePicker } from 'framepick';

export async function thumbnails(file, { top = 8, niche = 'general' } = {}) {
  const picker = await FramePicker.create({ threads: navigator.hardwareConcurrency });
  const controller = new AbortController();
  try {
    const { candidates, report } = await picker.pick(file, {
      top, niche, signal: controller.signal,
      onProgress: ({ stage, fraction }) => console.log(stage, fraction.toFixed(2)),
    });
    for (const c of candidates) {
      console.log(c.time.toFixed(2), c.score.toFixed(3), c.why.join(', '));
    }
    return { candidates, decoded: report.framesDecoded, ms: report.timings.totalMs };
  } finally {
    picker.dispose();
  }
}

function median(values) {
  const v = [...values].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

export function summary(runs) {
  return {
    runs: runs.length,
    medianMs: median(runs.map((r) => r.ms)),
    decoded: median(runs.map((r) => r.decoded)),
  };
}

// Shots, transitions and important segments are found on a coarse pass of keyframes;
// the chosen segments are sampled densely; faces and emotions are scored on the survivors.
const STAGES = ['demux', 'decode', 'dense', 'deep', 'encode'];
for (const [i, stage] of STAGES.entries()) console.log(i + 1, stage);
`;

/**
 * ffmpeg input args and filter chain for one chain of an item (a photo framing, a clip, a screen).
 * `run` = {f0: frame offset within the run, frames: frames of the whole run}; n = frames to emit.
 */
function chain(media, item, ctx, n, run, idx) {
  const { W, H, fps } = ctx;
  const look = item.look;
  const seed = ctx.seed + idx * 7919;
  const pos = (expr) => `min(1,(${expr}+${run.f0})/${Math.max(1, run.frames - 1)})`;
  if (look.startsWith('clip:')) {
    const [id, from] = look.slice(5).split('@');
    const c = media.clips[id];
    if (!c) throw new Error(`unknown clip ${id}`);
    const start = Number(from || 0) + run.f0 / fps;
    if (item.label === 'motion') throw new Error(`${look}: no motion blur on clips`);
    const sp = spoilFilter(item.label, item.severity, W, seed + 1);
    const fit = item.framing === 'fill'
      ? `scale=${W}:${H}:force_original_aspect_ratio=increase,crop=${W}:${H}${sp ? `,${sp},format=yuv420p` : ''}`
      : `scale=${W}:${H}:force_original_aspect_ratio=decrease${sp ? `,${sp},format=yuv420p` : ''},pad=${W}:${H}:(ow-iw)/2:(oh-ih)/2:black`;
    return { input: ['-ss', start.toFixed(3), '-t', ((n + 4) / fps).toFixed(3), '-i', c.file],
      // a part that runs past the clip's end holds its last frame (a few frames at most)
      vf: `fps=${fps},${fit},setsar=1,tpad=stop_mode=clone:stop_duration=${(n / fps + 1).toFixed(2)},trim=end_frame=${n},${end(fps)}`,
      face: c.people > 0, faces: c.people, photo: `clip:${id}` };
  }
  if (look.startsWith('screen:')) {
    const theme = look.slice(7); // dark | light
    const [bg, fg] = theme === 'light' ? ['0xf6f6f4', '0x202020'] : ['0x1e1f22', '0xd8d8d2'];
    const k = H / 720; const size = Math.round(22 * Math.min(W, H) / 720);
    const speed = item.framing === 'scroll' ? 40 * k : 0;
    const textFile = join(EVAL_CACHE, 'screen.txt');
    if (!existsSync(textFile) || readFileSync(textFile, 'utf8') !== SCREEN_TEXT) writeFileSync(textFile, SCREEN_TEXT);
    return { input: ['-f', 'lavfi', '-i', `color=c=${bg}:s=${W}x${H}:r=${fps}`],
      vf: `drawtext=fontfile=${FONT}:textfile=${textFile}:expansion=none:fontcolor=${fg}:fontsize=${size}:` +
        `line_spacing=${Math.round(size * 0.45)}:x=${Math.round(40 * k)}:y=${Math.round(30 * k)}-${speed.toFixed(2)}*(n+${run.f0})/${fps},` +
        `trim=end_frame=${n},${end(fps)}`,
      face: false, faces: 0, photo: `screen:${theme}` };
  }
  const photo = media.photos[look];
  if (!photo) throw new Error(`unknown photo ${look}`);
  const kind = item.label;
  const fr = framing(kind === 'motion' ? 'fill' : item.framing, photo);
  const g = geometry(fr, photo, W, H);
  const lead = kind === 'motion' ? 8 : 0; // tmix needs 8 frames before the first one shown
  const frames = n + lead;
  const parts = [];
  if (kind === 'motion') {
    // A fast horizontal pan averaged over 8 frames: the blur is 8 × the speed per frame.
    const len = SPOILS.motion.levels[item.severity] * W;
    const v = len / 8;
    const S = g.sc * 1.05 * Math.max(1, (W + v * frames + 4) / (photo.width * g.sc * 1.05));
    const sw = even(photo.width * S); const sh = even(photo.height * S);
    const y0 = Math.round((sh - H) / 2);
    parts.push(`scale=${sw}:${sh}:flags=bicubic`, `loop=loop=${frames - 1}:size=1:start=0`, `setpts=N/(${fps}*TB)`,
      `crop=${W}:${H}:'${Math.round((sw - W - v * frames) / 2)}+${v.toFixed(4)}*n':${y0}`,
      'tmix=frames=8', `trim=start_frame=${lead}`, `setpts=N/(${fps}*TB)`);
  } else if (g.z[0] === g.z[1]) {
    // a pan (or still): the photo scaled once, a window of the picture's size moving over it
    const S = g.sc * g.z[0];
    const sw = Math.max(g.aw, even(photo.width * S)); const sh = Math.max(g.ah, even(photo.height * S));
    const a = g.at(0); const b = g.at(1);
    const x0 = clamp(a.x * S, 0, sw - g.aw); const x1 = clamp(b.x * S, 0, sw - g.aw);
    const y0 = clamp(a.y * S, 0, sh - g.ah); const y1 = clamp(b.y * S, 0, sh - g.ah);
    parts.push(`scale=${sw}:${sh}:flags=bicubic`, `loop=loop=${frames - 1}:size=1:start=0`, `setpts=N/(${fps}*TB)`,
      `crop=${g.aw}:${g.ah}:'${x0.toFixed(2)}+${(x1 - x0).toFixed(2)}*${pos('n')}':'${y0.toFixed(2)}+${(y1 - y0).toFixed(2)}*${pos('n')}'`);
  } else {
    // a zoom (Ken Burns): the photo at the largest zoom's scale, cut to the window at the
    // smallest zoom, then zoompan towards the framing's centre
    const zmin = Math.min(...g.z); const zmax = Math.max(...g.z);
    const S = g.sc * zmax;
    const sw = even(photo.width * S); const sh = even(photo.height * S);
    const wz = g.at(g.z[0] < g.z[1] ? 0 : 1); // window at zmin (photo px)
    const cw = even(g.aw * zmax / zmin); const ch = even(g.ah * zmax / zmin);
    const cx = clamp(Math.round(wz.x * S), 0, sw - cw); const cy = clamp(Math.round(wz.y * S), 0, sh - ch);
    const fx = clamp((lerp(fr.u[0], fr.u[1], 0.5) * photo.width * S - cx) / cw, 0, 1);
    const fy = clamp((lerp(fr.v[0], fr.v[1], 0.5) * photo.height * S - cy) / ch, 0, 1);
    const Z = `(${(g.z[0] / zmin).toFixed(5)}+${((g.z[1] - g.z[0]) / zmin).toFixed(5)}*${pos('on')})`;
    parts.push(`scale=${sw}:${sh}:flags=bicubic`, `crop=${Math.min(cw, sw)}:${Math.min(ch, sh)}:${cx}:${cy}`,
      `loop=loop=${frames - 1}:size=1:start=0`, `setpts=N/(${fps}*TB)`,
      `zoompan=z='${Z}':x='${(fx * cw).toFixed(2)}*(1-1/zoom)':y='${(fy * ch).toFixed(2)}*(1-1/zoom)':d=1:s=${g.aw}x${g.ah}:fps=${fps}`,
      `setpts=N/(${fps}*TB)`);
  }
  if (item.dim) parts.push("curves=all='0/0 0.35/0.12 0.7/0.4 1/0.85'"); // a dim scene, blacks to near-whites
  if (item.tint) parts.push(`hue=h=${item.tint}:s=1.2`);
  if (item.gray) parts.push('hue=s=0');
  parts.push(`noise=alls=3:allf=t:all_seed=${seed}`); // a little sensor grain on everything
  const sp = spoilFilter(kind, item.severity, W, seed + 1, media.stats?.[look]);
  if (sp) parts.push(sp);
  parts.push('format=yuv420p');
  if (fr.mode === 'fit' && (g.aw < W || g.ah < H)) parts.push(`pad=${W}:${H}:${(W - g.aw) >> 1}:${(H - g.ah) >> 1}:black`);
  parts.push('setsar=1', end(fps));
  // faces over the part of the run this item shows
  const at = (k) => (run.f0 + k) / Math.max(1, run.frames - 1);
  const fs = kind === 'motion' ? { count: 0, face: false } : facesSeen(fr, photo, W, H, at(0), at(n - 1));
  // faces frame by frame (a pan can bring a face in or take it out within the shot)
  const facesAt = kind === 'motion' ? null : (k) => facesSeen(fr, photo, W, H, at(k), at(k));
  return { input: ['-i', photo.file], vf: parts.join(','), face: fs.face, faces: fs.count, facesAt, photo: look, geometry: g };
}

// ───────────────────────────── encoding ─────────────────────────────

function encoderArgs(v) {
  const g = v.gop === 'x264' ? [] : ['-g', String(Math.round(v.gop * v.fps)), '-keyint_min', String(Math.round(v.gop * v.fps)), '-sc_threshold', '0'];
  if (v.codec === 'vp9') {
    return ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-row-mt', '1', '-b:v', '0', '-crf', '33',
      '-pix_fmt', 'yuv420p', ...(v.gop === 'x264' ? ['-g', String(5 * v.fps)] : ['-g', String(Math.round(v.gop * v.fps))]), ...THREADS];
  }
  // H.264 High profile with B-frames; 'x264' = the encoder's own GOP (keyint 250, scene cuts)
  return ['-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-crf', '21', '-pix_fmt', 'yuv420p', ...g, ...THREADS];
}

/** Same time base, timestamps and frame rate on every chain (xfade insists). */
const end = (fps) => `settb=1/${fps},setpts=N,fps=${fps}`;

const hash = (x) => createHash('sha256').update(JSON.stringify(x)).digest('hex').slice(0, 16);

/** Encode one item into a segment of exactly n frames; cached by content. */
async function segment(media, v, item, n, runs, idx) {
  const ctx = { W: v.width, H: v.height, fps: v.fps, seed: 1000 + idx };
  const ext = v.container === 'webm' ? 'webm' : 'mp4';
  let inputs; let fc; let meta;
  if (item.label === 'black') {
    inputs = ['-f', 'lavfi', '-i', `color=black:s=${v.width}x${v.height}:r=${v.fps}`];
    fc = `[0:v]trim=end_frame=${n},setpts=N/(${v.fps}*TB),format=yuv420p,setsar=1[out]`;
    meta = { face: false, faces: 0, photo: null };
  } else if (item.label === 'xfade') {
    // the shot before continues under the crossfade, the shot after starts in it
    const a = chain(media, item.from, ctx, n, runs.from, idx);
    const b = chain(media, item.to, ctx, n, runs.to, idx + 1);
    inputs = [...a.input, ...b.input];
    fc = `[0:v]${a.vf}[a];[1:v]${b.vf}[b];[a][b]xfade=transition=fade:duration=${(n / v.fps).toFixed(4)}:offset=0,` +
      `trim=end_frame=${n},setpts=N/(${v.fps}*TB),format=yuv420p[out]`;
    meta = { face: false, faces: Math.max(a.faces, b.faces), photo: null, from: a.photo, to: b.photo };
  } else {
    const c = chain(media, item, ctx, n, runs.self, idx);
    let vf = c.vf;
    if (item.label === 'fadeout') vf += `,fade=t=out:start_frame=0:nb_frames=${n}`;
    if (item.label === 'fadein') vf += `,fade=t=in:start_frame=0:nb_frames=${n}`;
    inputs = c.input;
    fc = `[0:v]${vf},trim=end_frame=${n},setpts=N/(${v.fps}*TB)[out]`;
    meta = { face: item.label === 'good' ? c.face : false, faces: c.faces, facesAt: c.facesAt, photo: c.photo };
  }
  const enc = encoderArgs(v);
  const out = join(SEGS, `${hash({ inputs, fc, enc, n })}.${ext}`);
  if (!existsSync(out)) {
    mkdirSync(SEGS, { recursive: true });
    const tmp = `${out}.${process.pid}.tmp.${ext}`; // another process may make the same segment
    await must('ffmpeg', ['-v', 'error', '-y', ...THREADS, ...inputs, '-filter_complex_threads', '1', '-filter_complex', fc,
      '-map', '[out]', '-frames:v', String(n), '-r', String(v.fps), ...enc, '-an', tmp]);
    renameSync(tmp, out);
  }
  return { file: out, ...meta };
}

/** Luma percentiles 0–100 of a photo (BT.601 luma of a 256-px-wide copy). */
async function photoStats(photo) {
  const raw = await runBuffer('ffmpeg', ['-v', 'error', '-i', photo.file, '-vf', 'scale=256:-2,format=gray', '-f', 'rawvideo', '-']);
  const v = [...raw].sort((a, b) => a - b);
  return { percentiles: Array.from({ length: 101 }, (_, k) => v[Math.min(v.length - 1, Math.floor(k / 100 * v.length))]) };
}

/** Frame count and timestamps of the result: n frames at k / fps. */
async function verify(file, v, frames) {
  const r = await must('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time',
    '-of', 'csv=p=0', file]);
  const pts = r.stdout.trim().split('\n').map(Number).sort((a, b) => a - b);
  if (pts.length !== frames) throw new Error(`${v.name}: ${pts.length} frames, expected ${frames}`);
  const t0 = pts[0];
  for (let k = 0; k < pts.length; k++) {
    if (Math.abs(pts[k] - t0 - k / v.fps) > 0.25 / v.fps) {
      throw new Error(`${v.name}: frame ${k} at ${(pts[k] - t0).toFixed(4)} s, expected ${(k / v.fps).toFixed(4)} s`);
    }
  }
  return { firstPts: t0 };
}

/**
 * Runs: consecutive items that show the same framing of the same look continue one move.
 * Returns per item {self} or, for a crossfade, {from, to}: {f0, frames} of the run.
 */
function planRuns(items, fps) {
  const key = (it) => (it && it.look && it.label !== 'motion' ? `${it.look}|${JSON.stringify(it.framing)}|${it.dim || ''}|${it.tint || ''}|${it.gray || ''}` : null);
  const runs = [];
  let cur = null;
  const parts = []; // [itemIndex, side, run, frames]
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    const n = Math.round(it.secs * fps);
    if (it.label === 'xfade') {
      const k1 = key(it.from);
      if (!(cur && cur.key === k1)) { cur = { key: k1, frames: 0 }; runs.push(cur); }
      parts.push([i, 'from', cur, cur.frames]);
      cur.frames += n;
      cur = { key: key(it.to), frames: 0 }; runs.push(cur);
      parts.push([i, 'to', cur, 0]);
      cur.frames += n;
      continue;
    }
    const k = key(it);
    if (!(k && cur && cur.key === k)) { cur = { key: k, frames: 0 }; runs.push(cur); }
    parts.push([i, 'self', cur, cur.frames]);
    cur.frames += n;
  }
  const out = items.map(() => ({}));
  for (const [i, side, run, f0] of parts) out[i][side] = { f0, run, get frames() { return run.frames; } };
  return out;
}

/** Make one video and its truth; returns {video, truth}. */
export async function makeVideo(v, { media, log = () => {}, force = false } = {}) {
  mkdirSync(VIDEOS, { recursive: true });
  const ext = v.container === 'webm' ? 'webm' : 'mp4';
  const out = join(VIDEOS, `${v.name}.${ext}`);
  const truthPath = join(VIDEOS, `${v.name}.truth.json`);
  const specHash = hash({ v, GENERATOR });
  if (!force && existsSync(out) && existsSync(truthPath)) {
    const truth = JSON.parse(readFileSync(truthPath, 'utf8'));
    if (truth.specHash === specHash) return { video: out, truth };
  }
  media ||= await ensureMedia({ log });
  media.stats ||= {};
  for (const it of v.items) {
    if (it.label === 'blown' && media.photos[it.look] && !media.stats[it.look]) media.stats[it.look] = await photoStats(media.photos[it.look]);
  }
  const t0 = Date.now();
  log(`making ${v.name} (${v.width}×${v.height} ${v.codec} ${v.container}, ${v.items.reduce((a, i) => a + i.secs, 0).toFixed(1)} s) …`);
  const runs = planRuns(v.items, v.fps);
  const segs = []; const intervals = [];
  let frame = 0;
  for (let i = 0; i < v.items.length; i++) {
    const it = v.items[i];
    const n = Math.round(it.secs * v.fps);
    const s = await segment(media, v, it, n, runs[i], i);
    segs.push(s.file);
    const good = it.label === 'good';
    const framingName = typeof it.framing === 'object' ? hash(it.framing).slice(0, 6) : it.framing;
    const base = {
      label: it.label, severity: it.severity ?? null,
      param: it.label !== 'good' ? SPOILS[it.label].levels[it.severity] ?? null : null,
      shot: good ? [it.look, framingName, it.dim ? 'dim' : '', it.tint ? `tint${it.tint}` : '', it.gray ? 'gray' : ''].filter(Boolean).join('/') : null,
      photo: good ? s.photo : (s.photo ?? null),
      ...(it.label === 'xfade' ? { from: s.from, to: s.to } : {}),
      item: i,
    };
    // a clean photo shot is split where the faces seen change (a pan bringing one in)
    const pieces = [];
    if (good && s.facesAt) {
      for (let k = 0; k < n; k++) {
        const f = s.facesAt(k);
        const last = pieces.at(-1);
        if (last && last.face === f.face && last.faces === f.count) last.end = k + 1;
        else pieces.push({ start: k, end: k + 1, face: f.face, faces: f.count });
      }
    } else pieces.push({ start: 0, end: n, face: good && s.face, faces: s.faces });
    for (const pc of pieces) {
      const a = frame + pc.start; const b = frame + pc.end;
      intervals.push({ start: +(a / v.fps).toFixed(6), end: +(b / v.fps).toFixed(6), startFrame: a, endFrame: b,
        ...base, face: pc.face, faces: pc.faces, ...(good && it.dim ? { dim: true } : {}) });
    }
    frame += n;
  }
  // duplicates: a clean shot seen before
  // (the same shot again in another run: a continuation after a spoiled spell is not one)
  const seen = new Map();
  for (const iv of intervals) {
    if (!iv.shot) continue;
    const run = runs[iv.item].self?.run;
    if (seen.has(iv.shot) && seen.get(iv.shot) !== run) iv.duplicate = true;
    else seen.set(iv.shot, run);
  }
  const list = `${out}.${process.pid}.txt`;
  writeFileSync(list, segs.map((f) => `file '${f}'`).join('\n') + '\n');
  const tmp = `${out}.${process.pid}.tmp.${ext}`;
  await must('ffmpeg', ['-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy',
    ...(ext === 'mp4' && v.faststart ? ['-movflags', '+faststart'] : []), tmp]);
  rmSync(list);
  const check = await verify(tmp, v, frame);
  renameSync(tmp, out);
  const good = intervals.filter((i) => i.label === 'good');
  const goodShots = [...new Set(good.map((i) => i.shot))];
  const faceShots = [...new Set(good.filter((i) => i.face).map((i) => i.shot))];
  const truth = {
    name: v.name, file: `${v.name}.${ext}`, container: v.container, codec: v.codec, gop: v.gop,
    moov: ext === 'mp4' ? (v.faststart ? 'start' : 'end') : null,
    width: v.width, height: v.height, fps: v.fps, frames: frame, duration: frame / v.fps,
    split: v.split, ci: !!v.ci, niche: v.niche, tags: v.tags || [], firstPts: check.firstPts,
    intervals,
    goodShots: goodShots.length, faceShots: faceShots.length,
    photos: new Set(good.map((i) => i.photo)).size,
    spoiledSeconds: +intervals.filter((i) => i.label !== 'good').reduce((a, i) => a + i.end - i.start, 0).toFixed(3),
    bytes: statSync(out).size, specHash, madeInS: +((Date.now() - t0) / 1000).toFixed(1),
  };
  writeFileSync(`${truthPath}.${process.pid}`, JSON.stringify(truth, null, 1));
  renameSync(`${truthPath}.${process.pid}`, truthPath);
  log(`${v.name}: ${truth.duration.toFixed(1)} s, ${truth.goodShots} clean shots (${truth.faceShots} with a face), ` +
    `${truth.photos} looks, made in ${truth.madeInS} s`);
  return { video: out, truth };
}

export async function makeAll(videos, { log = () => {}, force = false } = {}) {
  const media = await ensureMedia({ log });
  const out = [];
  for (const v of videos) out.push(await makeVideo(v, { media, log, force }));
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const arg = (k) => (argv.includes(k) ? argv[argv.indexOf(k) + 1] : null);
  const vids = selectVideos(loadSet(), { split: arg('--split') || 'all', only: arg('--only') });
  const t0 = Date.now();
  await makeAll(vids, { log: console.log, force: argv.includes('--force') });
  console.log(`${vids.length} videos in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
