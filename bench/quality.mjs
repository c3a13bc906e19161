// Pick quality: baselines and the scorer, over the labelled videos from videos.mjs.
import { must, runBuffer } from './lib.mjs';

/** The interval a time falls in (clamped into the video). */
export function intervalAt(truth, t) {
  const x = Math.min(Math.max(t, 0), truth.duration - 1e-6);
  return truth.intervals.find((i) => x >= i.start && x < i.end) || truth.intervals.at(-1);
}

/** Score picks (times in s) against the ground truth. */
export function score(truth, times) {
  const hits = times.map((t) => ({ t, ...intervalAt(truth, t) }));
  const spoiled = hits.filter((h) => h.label !== 'good');
  const good = hits.filter((h) => h.label === 'good');
  const shots = new Set(good.map((h) => h.shot));
  const faceShots = new Set(good.filter((h) => h.face).map((h) => h.shot));
  return {
    picks: times.length,
    spoiled: spoiled.length,
    spoiledRate: times.length ? spoiled.length / times.length : null,
    spoiledLabels: spoiled.map((h) => h.label),
    facePicks: good.filter((h) => h.face).length,
    // Could all the picks show a face? Yes when the clean face shots are long enough to
    // hold 10 picks 2 s apart; then "possible" is 10, else what fits.
    facePossible: Math.min(times.length, Math.floor(truth.intervals
      .filter((i) => i.label === 'good' && i.face).reduce((a, i) => a + (i.end - i.start) / 2, 0))),
    faceShotsCovered: faceShots.size,
    faceShots: truth.faceShots,
    distinctShots: shots.size,
    goodShots: truth.goodShots,
    times: times.map((t) => +t.toFixed(3)),
  };
}

/** FFmpeg's thumbnail filter, one pick per tenth of the frames. Returns {times, ms}. */
export async function ffmpegThumbnails(video, frames, n = 10) {
  const batch = Math.ceil(frames / n);
  const r = await must('ffmpeg', ['-hide_banner', '-nostats', '-i', video,
    '-vf', `thumbnail=n=${batch},showinfo`, '-an', '-f', 'null', '-']);
  const times = [...r.stderr.matchAll(/pts_time:\s*([\d.]+)/g)].map((m) => Number(m[1])).slice(0, n);
  return { times, ms: r.ms };
}

export function uniform(duration, n = 10) {
  return Array.from({ length: n }, (_, i) => (i + 0.5) * duration / n);
}

/**
 * Hecate-style baseline (Song et al. 2016, "To click or not to click", simplified):
 * frames on the same 0.5 s grid as framepick's pass 1, 160×90 luma from ffmpeg;
 * drop dark / blown-out / low-contrast / uniform / blurry frames and frames inside
 * gradual transitions; cut shots where the luma histogram jumps; in each shot keep the
 * stillest surviving frame; rank shots by length, one pick per shot, then fill from the
 * longest shots with frames ≥ 2 s from any pick.
 */
export async function hecate(video, fps, { n = 10, step = 0.5, minGap = 2 } = {}) {
  const W = 160; const H = 90;
  const every = Math.round(fps * step);
  const t0 = performance.now();
  const raw = await runBuffer('ffmpeg', ['-v', 'error', '-i', video, '-vf',
    `select='not(mod(n\\,${every}))',scale=${W}:${H},format=gray`, '-fps_mode', 'passthrough',
    '-f', 'rawvideo', '-']);
  const count = Math.floor(raw.length / (W * H));
  const frames = [];
  for (let i = 0; i < count; i++) {
    const px = raw.subarray(i * W * H, (i + 1) * W * H);
    let sum = 0; let sq = 0;
    const hist = new Float64Array(64);
    for (const v of px) { sum += v; sq += v * v; hist[v >> 2]++; }
    const mean = sum / px.length;
    const contrast = Math.sqrt(Math.max(0, sq / px.length - mean * mean)) / 255;
    let lap = 0; let lap2 = 0; let m = 0;
    for (let y = 1; y < H - 1; y++) for (let x = 1; x < W - 1; x++) {
      const o = y * W + x;
      const l = 4 * px[o] - px[o - 1] - px[o + 1] - px[o - W] - px[o + W];
      lap += l; lap2 += l * l; m++;
    }
    const sharp = lap2 / m - (lap / m) ** 2;
    const sorted = [...hist].sort((a, b) => b - a);
    const uniformity = sorted.slice(0, Math.ceil(64 * 0.05)).reduce((a, b) => a + b, 0) / px.length;
    for (let b = 0; b < 64; b++) hist[b] /= px.length;
    frames.push({ i, t: i * every / fps, px, brightness: mean / 255, contrast, sharp, uniformity, hist });
  }
  const histDiff = (a, b) => { let d = 0; for (let k = 0; k < 64; k++) d += Math.abs(a.hist[k] - b.hist[k]); return d / 2; };
  const pixDiff = (a, b) => { let d = 0; for (let k = 0; k < a.px.length; k++) d += Math.abs(a.px[k] - b.px[k]); return d / a.px.length / 255; };
  const sharps = frames.map((f) => f.sharp).sort((a, b) => a - b);
  const medianSharp = sharps[Math.floor(sharps.length / 2)] || 0;
  for (const f of frames) {
    f.bad = f.brightness < 0.15 ? 'dark' : f.brightness > 0.85 ? 'bright' : f.contrast < 0.06 ? 'flat'
      : f.uniformity > 0.8 ? 'uniform' : f.sharp < 0.25 * medianSharp ? 'blurry' : null;
  }
  // Shot cuts: histogram jump between neighbours; a frame between two jumps is a transition.
  const cut = 0.3;
  const d = frames.map((f, i) => (i ? histDiff(frames[i - 1], f) : 0));
  let shot = 0;
  for (let i = 0; i < frames.length; i++) {
    if (i && d[i] > cut) shot++;
    frames[i].shot = shot;
    if (i && i < frames.length - 1 && d[i] > 0.1 && d[i + 1] > 0.1 && !frames[i].bad) frames[i].bad = 'transition';
  }
  const shots = new Map();
  for (const f of frames) { if (!shots.has(f.shot)) shots.set(f.shot, []); shots.get(f.shot).push(f); }
  const ranked = [...shots.values()].sort((a, b) => b.length - a.length);
  const picks = [];
  const far = (f) => picks.every((p) => Math.abs(p.t - f.t) >= minGap);
  for (const s of ranked) {
    const ok = s.filter((f) => !f.bad);
    if (!ok.length || picks.length >= n) continue;
    const motion = (f) => {
      const nb = [frames[f.i - 1], frames[f.i + 1]].filter((g) => g && g.shot === f.shot);
      return nb.length ? nb.reduce((a, g) => a + pixDiff(f, g), 0) / nb.length : 1;
    };
    const best = ok.reduce((a, f) => (motion(f) < motion(a) ? f : a));
    if (far(best)) picks.push(best);
  }
  for (const s of ranked) { // fill, longest shots first, stillest first
    for (const f of s.filter((g) => !g.bad)) {
      if (picks.length >= n) break;
      if (!picks.includes(f) && far(f)) picks.push(f);
    }
  }
  return { times: picks.map((f) => f.t), ms: performance.now() - t0, framesAnalysed: frames.length,
    shotsFound: shots.size, rejected: frames.filter((f) => f.bad).length };
}

export async function probeFrames(video) {
  const r = await must('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_packets',
    '-show_entries', 'stream=nb_read_packets,duration:format=duration', '-of', 'json', video]);
  const j = JSON.parse(r.stdout);
  const s = j.streams[0];
  // WebM gives no stream duration: the container's.
  const duration = Number(s.duration) || Number(j.format?.duration);
  return { frames: Number(s.nb_read_packets), duration };
}

/** Keyframes in the video stream (its GOP structure, for the speed tables). */
export async function countKeyframes(video) {
  const r = await must('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=flags',
    '-of', 'csv=p=0', video]);
  return r.stdout.split('\n').filter((l) => l.includes('K')).length;
}
