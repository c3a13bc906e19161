// The measures of issue 13, per video and over a set, for any method's pick times.
//
// A pick is judged by the frame shown at its reported time: frame floor(t × fps + 1e-6)
// (a time within a hair of a boundary belongs to the frame that starts there), and the
// interval of the truth that holds that frame (a crossfade frame with under 5 % of the
// other picture mixed in counts as the shot it shows: XFADE_INVISIBLE).
//
// Per video (top `asked`, 10 by default):
//   returned / couldHave  picks returned, against what could be had: min(asked, distinct good
//                         frames ≥ 1 s apart) = min(asked, Σ over clean intervals of max(1, ⌊seconds⌋))
//   spoiled               picks in a spoiled interval (share of the picks returned), with labels + severity
//   faceShare             picks showing a clean, reasonably sized face ÷ asked; best possible =
//                         min(asked, clean shots with a face) ÷ asked; faceRatio = share ÷ best (null when best is 0)
//   distinctShots         distinct clean shots among the picks (a duplicated shot counts once); best = min(asked, clean shots)
//   distinctLooks         distinct photos (or clips, or screens) among the clean picks, as a viewer sees them;
//                         target = min(8, distinct looks among the video's clean shots)
//   repeats               clean picks of a shot already picked
export const LOOKS_TARGET = 8;

export function frameOf(truth, t) {
  return Math.min(Math.max(Math.floor(t * truth.fps + 1e-6), 0), truth.frames - 1);
}

// A crossfade frame whose mix weight (ffmpeg xfade: k / n at frame k of n) is under this
// shows only the shot on its side: frame 0 of a crossfade is the outgoing shot's picture
// itself, and 5 % of another picture does not show (faces-01's first crossfade frame
// differs from the frame before it by 2.6 of 255, as much as two frames of the pan do).
export const XFADE_INVISIBLE = 0.05;

export function intervalAt(truth, t) {
  const f = frameOf(truth, t);
  const k = truth.intervals.findIndex((i) => f >= i.startFrame && f < i.endFrame);
  if (k < 0) return truth.intervals.at(-1);
  const iv = truth.intervals[k];
  if (iv.label === 'xfade') {
    const w = (f - iv.startFrame) / (iv.endFrame - iv.startFrame);
    const before = truth.intervals[k - 1]; const after = truth.intervals[k + 1];
    if (w < XFADE_INVISIBLE && before?.endFrame === iv.startFrame && before.photo === iv.from) return before;
    if (w > 1 - XFADE_INVISIBLE && after?.startFrame === iv.endFrame && after.photo === iv.to) return after;
  }
  return iv;
}

/** What the video offers: could-have picks, best face share, clean shots and looks. */
export function offer(truth, asked = 10) {
  const good = truth.intervals.filter((i) => i.label === 'good');
  const frames = good.reduce((a, i) => a + Math.max(1, Math.floor((i.endFrame - i.startFrame) / truth.fps)), 0);
  const shots = new Set(good.map((i) => i.shot));
  const faceShots = new Set(good.filter((i) => i.face).map((i) => i.shot));
  const looks = new Set(good.map((i) => i.photo));
  return {
    couldHave: Math.min(asked, frames),
    bestFaceShare: Math.min(asked, faceShots.size) / asked,
    bestShots: Math.min(asked, shots.size),
    looks: looks.size,
    looksTarget: Math.min(LOOKS_TARGET, looks.size),
  };
}

export function measure(truth, times, { asked = 10 } = {}) {
  const o = offer(truth, asked);
  const hits = times.slice(0, asked).map((t) => ({ t, frame: frameOf(truth, t), ...intervalAt(truth, t) }));
  const spoiled = hits.filter((h) => h.label !== 'good');
  const good = hits.filter((h) => h.label === 'good');
  const shots = new Set(good.map((h) => h.shot));
  const looks = new Set(good.map((h) => h.photo));
  const facePicks = good.filter((h) => h.face).length;
  const faceShare = facePicks / asked;
  return {
    asked, returned: hits.length, couldHave: o.couldHave,
    spoiled: spoiled.length, spoiledShare: hits.length ? spoiled.length / hits.length : 0,
    spoiledAs: spoiled.map((h) => `${h.label}${h.severity && h.severity !== 'full' ? `:${h.severity}` : ''}`),
    facePicks, faceShare, bestFaceShare: o.bestFaceShare,
    faceRatio: o.bestFaceShare > 0 ? faceShare / o.bestFaceShare : null,
    distinctShots: shots.size, bestShots: o.bestShots,
    distinctLooks: looks.size, looks: o.looks, looksTarget: o.looksTarget,
    repeats: good.length - shots.size,
    picks: hits.map((h) => ({ t: +h.t.toFixed(3), frame: h.frame, label: h.label, severity: h.severity ?? null,
      shot: h.shot, photo: h.photo, face: h.face })),
  };
}

/** Does one video's result meet the issue's targets? {ok, missed: [...]} */
export function targets(m) {
  const missed = [];
  if (m.spoiled > 0) missed.push('spoiled');
  if (m.faceRatio != null && m.faceRatio < 0.9) missed.push('faces');
  if (m.distinctLooks < m.looksTarget) missed.push('looks');
  if (m.returned < m.couldHave) missed.push('returned');
  return { ok: !missed.length, missed };
}

const mean = (xs) => { const v = xs.filter((x) => x != null && Number.isFinite(x)); return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null; };

/**
 * Over a set: per method the means, sums, per-severity spoils and the worst video per measure.
 * `rows` = [{video, truth, methods: {name: measure}}].
 */
export function summarize(rows) {
  const methods = [...new Set(rows.flatMap((r) => Object.keys(r.methods)))];
  const out = {};
  for (const m of methods) {
    const ms = rows.filter((r) => r.methods[m]).map((r) => ({ video: r.video, ...r.methods[m] }));
    const worst = (f, dir) => {
      const v = ms.filter((x) => f(x) != null);
      if (!v.length) return null;
      const w = v.reduce((a, b) => ((dir < 0 ? f(b) < f(a) : f(b) > f(a)) ? b : a));
      return { video: w.video, value: f(w) };
    };
    const bySeverity = {};
    for (const x of ms) for (const s of x.spoiledAs) bySeverity[s] = (bySeverity[s] || 0) + 1;
    out[m] = {
      videos: ms.length,
      spoiledShare: mean(ms.map((x) => x.spoiledShare)),
      spoiled: ms.reduce((a, x) => a + x.spoiled, 0),
      faceShare: mean(ms.map((x) => x.faceShare)),
      bestFaceShare: mean(ms.map((x) => x.bestFaceShare)),
      faceRatio: mean(ms.map((x) => x.faceRatio)),
      distinctShots: mean(ms.map((x) => x.distinctShots)), bestShots: mean(ms.map((x) => x.bestShots)),
      distinctLooks: mean(ms.map((x) => x.distinctLooks)), looksTarget: mean(ms.map((x) => x.looksTarget)),
      repeats: mean(ms.map((x) => x.repeats)),
      returned: ms.reduce((a, x) => a + x.returned, 0), asked: ms.reduce((a, x) => a + x.asked, 0),
      couldHave: ms.reduce((a, x) => a + x.couldHave, 0),
      bySeverity,
      meetsTargets: ms.filter((x) => targets(x).ok).length,
      worst: {
        spoiledShare: worst((x) => x.spoiledShare, +1),
        faceRatio: worst((x) => x.faceRatio, -1),
        distinctLooks: worst((x) => x.distinctLooks - x.looksTarget, -1),
        returned: worst((x) => x.returned - x.couldHave, -1),
      },
    };
  }
  return out;
}

/**
 * The issue's targets over a set for `main` (framepick): every video meets them, and `main`
 * is ahead of every other method on every measure (means; spoiled: lower; the rest: higher;
 * returned: at least as many). Returns [{target, ok, detail}].
 */
export function verdict(rows, summary, main = 'framepick') {
  const S = summary[main];
  if (!S) return [];
  const per = rows.filter((r) => r.methods[main]).map((r) => ({ video: r.video, t: targets(r.methods[main]) }));
  const failing = (k) => per.filter((p) => p.t.missed.includes(k)).map((p) => p.video);
  const v = [
    { target: 'no spoiled pick in any video', ok: !failing('spoiled').length, detail: failing('spoiled') },
    { target: 'face share ≥ 0.9 × best possible on every video', ok: !failing('faces').length, detail: failing('faces') },
    { target: `distinct looks ≥ min(${LOOKS_TARGET}, what the video has) on every video`, ok: !failing('looks').length, detail: failing('looks') },
    { target: 'picks returned = asked where that many distinct good frames exist', ok: !failing('returned').length, detail: failing('returned') },
  ];
  for (const [b, B] of Object.entries(summary)) {
    if (b === main) continue;
    const behind = [];
    if (!(S.spoiledShare < B.spoiledShare || (S.spoiledShare === 0 && B.spoiledShare === 0))) behind.push('spoiled');
    if (!(S.faceShare > B.faceShare || S.faceShare >= S.bestFaceShare)) behind.push('faces');
    if (!(S.distinctShots > B.distinctShots || S.distinctShots >= S.bestShots)) behind.push('shots');
    if (!(S.distinctLooks > B.distinctLooks || S.distinctLooks >= S.looksTarget)) behind.push('looks');
    if (!(S.returned >= B.returned)) behind.push('returned');
    v.push({ target: `${main} ahead of ${b} on every measure`, ok: !behind.length, detail: behind });
  }
  return v;
}
