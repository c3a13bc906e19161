// Markdown tables of an evaluation result (bench/eval/run.mjs), for the console and BENCHMARKS.md.
import { fmt } from '../lib.mjs';
import { targets } from './measures.mjs';

const pct = (x) => (x == null ? '–' : fmt(x, 2));

/** The markdown tables of one result: per video and method, the means, the verdict. */
export function markdownEval(R, { title = null, perVideo = true } = {}) {
  const L = [];
  const p = (...a) => L.push(...a);
  if (title) p(title, '');
  const methods = Object.keys(R.summary);
  p(`${R.videos.length} videos (split ${R.split}${R.only ? `, only ${R.only}` : ''}), top ${R.top}` +
    `${R.niche ? `, niche ${R.niche} for all` : ', each video\'s niche'}; ${R.date.slice(0, 16).replace('T', ' ')} UTC` +
    `${R.chromium ? `, Chromium ${R.chromium}` : ''}${R.wasmBuilt ? `, wasm built ${R.wasmBuilt.slice(0, 16).replace('T', ' ')} UTC` : ''}` +
    `${R.framepickNote ? ` — ${R.framepickNote}` : ''}.`, '');
  p('| method | spoiled share (mean) | spoiled picks | face share (best) | ÷ best | distinct shots (best) | distinct looks (target) | repeats | returned / asked (could) | videos meeting all targets | worst video |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const m of methods) {
    const S = R.summary[m];
    const w = S.worst;
    const worst = [w.spoiledShare?.value ? `spoiled ${w.spoiledShare.video} (${pct(w.spoiledShare.value)})` : null,
      w.faceRatio && w.faceRatio.value < 0.9 ? `faces ${w.faceRatio.video} (${pct(w.faceRatio.value)} of best)` : null,
      w.distinctLooks && w.distinctLooks.value < 0 ? `looks ${w.distinctLooks.video} (${w.distinctLooks.value})` : null,
      w.returned && w.returned.value < 0 ? `returned ${w.returned.video} (${w.returned.value})` : null].filter(Boolean).join('; ') || '–';
    p(`| ${m} | ${pct(S.spoiledShare)} | ${S.spoiled}${Object.keys(S.bySeverity).length ? ` (${Object.entries(S.bySeverity).sort().map(([k, n]) => `${k} ${n}`).join(', ')})` : ''} | ` +
      `${pct(S.faceShare)} (${pct(S.bestFaceShare)}) | ${pct(S.faceRatio)} | ${fmt(S.distinctShots, 1)} (${fmt(S.bestShots, 1)}) | ` +
      `${fmt(S.distinctLooks, 1)} (${fmt(S.looksTarget, 1)}) | ${fmt(S.repeats, 1)} | ${S.returned} / ${S.asked} (${S.couldHave}) | ${S.meetsTargets}/${S.videos} | ${worst} |`);
  }
  p('');
  if (R.verdict?.length) {
    p('| target (framepick) | | |', '| --- | --- | --- |');
    for (const v of R.verdict) p(`| ${v.target} | ${v.ok ? '**PASS**' : '**FAIL**'} | ${v.detail.length ? v.detail.join(', ') : ''} |`);
    p('');
  }
  if (R.failures?.length) p(`Failures: ${R.failures.join('; ')}`, '');
  if (perVideo) {
    p('| video | format, length | clean shots / with a face / looks | method | returned (could) | spoiled | faces (best) | shots | looks (target) | targets |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const r of R.videos) {
      let first = true;
      for (const [m, x] of Object.entries(r.methods)) {
        const t = targets(x);
        p(`| ${first ? `${r.video}${r.niche !== 'general' ? ` (${r.niche})` : ''}` : ''} | ${first ? `${r.format}, ${fmt(r.duration, 1)} s` : ''} | ` +
          `${first ? `${r.goodShots} / ${r.faceShots} / ${r.looks}` : ''} | ${m} | ${x.returned} (${x.couldHave}) | ` +
          `${x.spoiled}${x.spoiled ? ` (${x.spoiledAs.join(', ')})` : ''} | ${x.facePicks} (${Math.round(x.bestFaceShare * x.asked)}) | ` +
          `${x.distinctShots}/${x.bestShots} | ${x.distinctLooks} (${x.looksTarget}) | ${t.ok ? 'met' : t.missed.join(', ')} |`);
        first = false;
      }
    }
    p('');
  }
  return L.join('\n');
}
