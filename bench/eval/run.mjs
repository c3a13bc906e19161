#!/usr/bin/env node
// The evaluation of issue 13: framepick and the baselines of bench/quality.mjs (FFmpeg
// `thumbnail`, uniform times, Hecate-style) on the labelled videos of bench/eval/set.json,
// scored by bench/eval/measures.mjs. Writes bench/results/eval-<split>.json and prints a
// markdown table with the targets' verdict.
//
//   node bench/eval/run.mjs [--split tune|check|ci|all] [--only a,b] [--niche NAME] [--top 10]
//                           [--no-framepick] [--check] [--json FILE]
//   --split    which videos (default tune); 'all' = both halves
//   --niche    framepick's niche for every video (default: each video's own, 'general' or 'vlog')
//   --check    exit 1 when a target is missed (crashes or a video without picks always exit 1)
import { existsSync, mkdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../www/server.mjs';
import { launch } from '../driver.mjs';
import * as quality from '../quality.mjs';
import { loadSet, selectVideos } from './set.mjs';
import { makeAll, VIDEOS } from './make.mjs';
import { EVAL_CACHE } from './photos.mjs';
import { measure, summarize, verdict } from './measures.mjs';
import { markdownEval } from './table.mjs';

export { markdownEval };

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
export const METHODS = ['framepick', 'ffmpeg thumbnail', 'uniform', 'Hecate-style'];

/**
 * One Chromium and one page for the whole run: each video is put into the page's file input
 * and picked by the demo page's `framepickDemo.pickFromInput` (the worker, wasm and models
 * stay loaded between videos). A video that crashes the page or runs past `timeoutMs` gets an
 * error and a fresh page for the next one.
 */
export async function openPicker({ threads = null, timeoutMs = 10 * 60e3 } = {}) {
  const server = await startServer({ root: join(ROOT, 'www') });
  const browser = await launch();
  let page = null; let info = null;
  const fresh = async () => {
    if (page) await page.close().catch(() => {});
    page = await browser.newPage();
    page.on('pageerror', () => {});
    await page.addInitScript(() => { window.__framepickDriven = true; });
    await page.goto(new URL(`index.html${threads ? `?threads=${threads}` : ''}`, server.url).href);
    info = await page.evaluate(() => window.framepickDemo.ready());
  };
  await fresh();
  return {
    get info() { return info; },
    version: browser.version(),
    async pick(video, options) {
      const t0 = performance.now();
      let timer;
      try {
        await page.setInputFiles('#file', video);
        const r = await Promise.race([
          page.evaluate((o) => window.framepickDemo.pickFromInput(o), options),
          new Promise((_, fail) => { timer = setTimeout(() => fail(new Error(`no answer in ${timeoutMs / 1000} s`)), timeoutMs); }),
        ]);
        return { ...r, wallMs: performance.now() - t0 };
      } catch (e) {
        await fresh().catch(() => {});
        return { error: { code: 'DRIVER', message: e.message }, wallMs: performance.now() - t0 };
      } finally { clearTimeout(timer); }
    },
    async close() { await browser.close(); await server.close(); },
  };
}

/**
 * The baselines' pick times for one video. They depend only on the video (its spec hash,
 * the generator's version) and `top`, so they are kept in bench/.cache/eval/baselines and
 * a run that changes only framepick does not pay FFmpeg's whole-file decode again; the
 * times measured when they were made come back with them.
 */
async function baselinePicks(video, truth, top) {
  const dir = join(EVAL_CACHE, 'baselines');
  const file = join(dir, `${truth.name}-${truth.specHash.slice(0, 16)}-top${top}.json`);
  if (existsSync(file)) {
    try { return JSON.parse(readFileSync(file, 'utf8')); } catch { /* made again below */ }
  }
  const th = await quality.ffmpegThumbnails(video, truth.frames, top);
  const he = await quality.hecate(video, truth.fps, { n: top });
  const r = { th: { times: th.times, ms: th.ms }, he: { times: he.times, ms: he.ms } };
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify(r));
  return r;
}

/** Run the evaluation; resolves the result object (also written to bench/results/eval-<split>.json). */
export async function runEval({ split = 'tune', only = null, niche = null, top = 10, framepick = true,
  log = () => {}, out = null, savePicks = true } = {}) {
  const T0 = Date.now();
  const videos = selectVideos(loadSet(), { split, only });
  if (!videos.length) throw new Error(`no videos for --split ${split}${only ? ` --only ${only}` : ''}`);
  const tg = Date.now();
  const made = await makeAll(videos, { log });
  const genS = (Date.now() - tg) / 1000;
  let picker = null; let fpNote = null;
  if (framepick) {
    if (!existsSync(join(ROOT, 'www/pkg/threads')) && !existsSync(join(ROOT, 'www/pkg/single'))) {
      fpNote = 'www/pkg missing (./build.sh): framepick not run';
      log(fpNote);
    } else {
      // the single-thread build alone (./build.sh single) is driven with ?threads=1
      const single = !existsSync(join(ROOT, 'www/pkg/threads'));
      if (single) { fpNote = 'www/pkg/threads missing: the single-thread build'; log(fpNote); }
      picker = await openPicker({ threads: single ? 1 : null });
    }
  }
  const rows = []; const failures = [];
  try {
    for (const [k, v] of videos.entries()) {
      const { video, truth } = made[k];
      const row = { video: v.name, split: v.split, niche: niche || v.niche, theme: v.theme, format: `${truth.width}×${truth.height} ${truth.codec}/${truth.container} gop ${truth.gop}${truth.moov ? ` moov ${truth.moov}` : ''}`,
        duration: truth.duration, goodShots: truth.goodShots, faceShots: truth.faceShots, looks: truth.photos,
        spoiledSeconds: truth.spoiledSeconds, methods: {}, runs: {} };
      if (picker) {
        const r = await picker.pick(video, { top, quality: 0.9, niche: niche || v.niche });
        if (r.error) {
          failures.push(`${v.name}: framepick ${r.error.code}: ${r.error.message}`);
          row.runs.framepick = { error: r.error, wallMs: r.wallMs };
          row.methods.framepick = measure(truth, [], { asked: top });
        } else {
          if (!r.candidates.length) failures.push(`${v.name}: framepick returned no picks`);
          const times = r.candidates.map((c) => c.time);
          row.methods.framepick = measure(truth, times, { asked: top });
          const rep = r.report || {};
          row.runs.framepick = { wallMs: r.wallMs, totalMs: rep.timings?.totalMs, framesDecoded: rep.framesDecoded,
            framesDeep: rep.framesDeep, shots: rep.shots, warnings: rep.warnings, decoder: rep.decoder, pool: rep.pool,
            shotTimes: rep.shotTimes, transitionTimes: rep.transitionTimes,
            candidates: r.candidates.map((c) => ({ time: c.time, score: c.score, faces: c.faces?.length ?? 0, why: c.why })) };
          if (savePicks) {
            const dir = join(EVAL_CACHE, 'picks', v.name);
            mkdirSync(dir, { recursive: true });
            r.candidates.forEach((c, i) => writeFileSync(join(dir, `${String(i + 1).padStart(2, '0')}-${c.time.toFixed(2)}s.jpg`),
              Buffer.from(c.image.base64, 'base64')));
          }
        }
      }
      const { th, he } = await baselinePicks(video, truth, top);
      row.methods['ffmpeg thumbnail'] = measure(truth, th.times, { asked: top });
      row.methods.uniform = measure(truth, quality.uniform(truth.duration, top), { asked: top });
      row.methods['Hecate-style'] = measure(truth, he.times, { asked: top });
      row.runs['ffmpeg thumbnail'] = { ms: th.ms }; row.runs['Hecate-style'] = { ms: he.ms };
      rows.push(row);
      const f = row.methods.framepick;
      log(`${v.name.padEnd(11)} ${Object.entries(row.methods).map(([m, x]) => `${m === 'framepick' ? 'fp' : m.slice(0, 3)} ` +
        `${x.returned}/${x.couldHave} sp ${x.spoiled} fc ${x.faceShare.toFixed(1)}/${x.bestFaceShare.toFixed(1)} ` +
        `sh ${x.distinctShots}/${x.bestShots} lk ${x.distinctLooks}/${x.looksTarget}`).join(' | ')}` +
        (f && row.runs.framepick?.totalMs ? ` (${(row.runs.framepick.totalMs / 1000).toFixed(1)} s)` : ''));
    }
  } finally {
    if (picker) await picker.close();
  }
  const summary = summarize(rows);
  const wasm = join(ROOT, 'www/pkg', fpNote?.includes('single') ? 'single' : 'threads', 'framepick_bg.wasm');
  const result = { date: new Date().toISOString(), split, only, niche, top, chromium: picker?.version ?? null,
    wasmBuilt: existsSync(wasm) ? statSync(wasm).mtime.toISOString() : null,
    framepickInfo: picker?.info ?? null, framepickNote: fpNote, generationS: genS, elapsedS: (Date.now() - T0) / 1000,
    videos: rows, summary, verdict: verdict(rows, summary), failures };
  const file = out || join(ROOT, 'bench/results', `eval-${only ? 'only' : split}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(result, null, 1));
  result.file = file;
  return result;
}

async function main() {
  const argv = process.argv.slice(2);
  const arg = (k, d = null) => (argv.includes(k) ? argv[argv.indexOf(k) + 1] : d);
  const T0 = Date.now();
  const log = (...a) => console.error(`[${((Date.now() - T0) / 1000).toFixed(0).padStart(4)} s]`, ...a);
  const R = await runEval({ split: arg('--split', 'tune'), only: arg('--only'), niche: arg('--niche'),
    top: Number(arg('--top', 10)), framepick: !argv.includes('--no-framepick'), log, out: arg('--json') });
  console.log(markdownEval(R));
  log(`videos made in ${R.generationS.toFixed(0)} s; whole run ${R.elapsedS.toFixed(0)} s; ${R.file.replace(ROOT + '/', '')}`);
  const fp = R.summary.framepick;
  if (R.failures.length) { console.error(`${R.failures.length} failure(s):\n  ${R.failures.join('\n  ')}`); process.exit(1); }
  if (argv.includes('--check') && (!fp || R.verdict.some((v) => !v.ok))) {
    console.error('targets missed (--check)');
    process.exit(1);
  }
  if (arg('--gate')) {
    const missed = gateMisses(R.summary, JSON.parse(readFileSync(resolve(arg('--gate')), 'utf8')));
    for (const m of missed) console.error(`gate: ${m}`);
    if (missed.length) process.exit(1);
    console.error('gate: met');
  }
}

/**
 * The CI gate (bench/eval/gate.json): the issue's per-video targets are not all met yet
 * (BENCHMARKS.md says which and why), so CI holds framepick to floors measured on the ci
 * split — it may not pick more spoiled frames, fewer faces or fewer looks than that, nor
 * fall behind a baseline on spoiled share, faces or looks. Returns what was missed.
 */
export function gateMisses(summary, gate) {
  const fp = summary.framepick;
  if (!fp) return ['framepick gave no result'];
  const missed = [];
  if (fp.spoiledShare > gate.maxSpoiledShare) missed.push(`spoiled share ${fp.spoiledShare.toFixed(3)} > ${gate.maxSpoiledShare}`);
  if (fp.faceRatio < gate.minFaceRatio) missed.push(`face share ÷ best ${fp.faceRatio.toFixed(3)} < ${gate.minFaceRatio}`);
  if (fp.distinctLooks < gate.minDistinctLooks) missed.push(`distinct looks ${fp.distinctLooks.toFixed(2)} < ${gate.minDistinctLooks}`);
  if (fp.returned < fp.couldHave) missed.push(`returned ${fp.returned} < could have ${fp.couldHave}`);
  for (const m of gate.aheadOf) {
    const b = summary[m];
    if (!b) continue;
    if (fp.spoiledShare > b.spoiledShare) missed.push(`spoiled share behind ${m} (${fp.spoiledShare.toFixed(3)} > ${b.spoiledShare.toFixed(3)})`);
    if (fp.faceRatio < b.faceRatio) missed.push(`faces behind ${m} (${fp.faceRatio.toFixed(3)} < ${b.faceRatio.toFixed(3)})`);
    if (fp.distinctLooks < b.distinctLooks) missed.push(`looks behind ${m} (${fp.distinctLooks.toFixed(2)} < ${b.distinctLooks.toFixed(2)})`);
  }
  return missed;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => { console.error(e.stack || e); process.exit(1); });
}
