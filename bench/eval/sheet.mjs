#!/usr/bin/env node
// Contact sheets for checking labels and picks by eye (PNG, bench/.cache/eval/sheets/):
//   node bench/eval/sheet.mjs NAME [--picks RESULTS.json] [--method framepick]
// Without --picks: the middle frame of every interval of the truth, captioned with its label,
// severity and whether a clean face is there. With --picks: the frames each method picked, at
// the times it reported, captioned with the interval they fall in.
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { must } from '../lib.mjs';
import { EVAL_CACHE } from './photos.mjs';
import { VIDEOS } from './make.mjs';

const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
const esc = (s) => s.replace(/[\\:']/g, (c) => `\\${c}`);

export async function sheet(name, { picks = null, method = 'framepick' } = {}) {
  const truth = JSON.parse(readFileSync(join(VIDEOS, `${name}.truth.json`), 'utf8'));
  const video = join(VIDEOS, truth.file);
  let shots;
  if (picks) {
    const R = JSON.parse(readFileSync(picks, 'utf8'));
    const row = R.videos.find((v) => v.video === name);
    if (!row?.methods[method]) throw new Error(`${name}: no ${method} picks in ${picks}`);
    shots = row.methods[method].picks.map((p) => ({ t: p.t, text: `${p.t.toFixed(2)} s ${p.label}${p.severity && p.severity !== 'full' ? `:${p.severity}` : ''}${p.face ? ' face' : ''} ${p.photo ?? ''}` }));
  } else {
    shots = truth.intervals.map((i) => ({ t: (i.start + i.end) / 2,
      text: `${i.start.toFixed(2)}-${i.end.toFixed(2)} ${i.label}${i.severity && i.severity !== 'full' ? `:${i.severity}` : ''}${i.face ? ' FACE' : ''}${i.duplicate ? ' dup' : ''} ${i.photo ?? ''}` }));
  }
  const dir = join(EVAL_CACHE, 'sheets', `${name}${picks ? `-${method.replace(/\W+/g, '_')}` : ''}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [k, s] of shots.entries()) {
    // the frame shown at that time, exactly: select by index
    const f = Math.min(Math.floor(s.t * truth.fps + 1e-6), truth.frames - 1);
    await must('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-ss', String(Math.max(0, f / truth.fps - 2)), '-i', video,
      '-vf', `select='gte(n\\,${Math.round(Math.min(2, f / truth.fps) * truth.fps)})',scale=400:-2,` +
      `drawtext=fontfile=${FONT}:text='${esc(s.text)}':fontcolor=yellow:fontsize=13:box=1:boxcolor=black@0.7:x=2:y=2`,
      '-frames:v', '1', join(dir, `${String(k).padStart(3, '0')}.png`)]);
  }
  const cols = 5; const rows = Math.ceil(shots.length / cols);
  const out = `${dir}.png`;
  await must('ffmpeg', ['-v', 'error', '-y', '-pattern_type', 'glob', '-i', join(dir, '*.png'),
    '-vf', `tile=${cols}x${rows}:color=0x202020`, '-frames:v', '1', out]);
  rmSync(dir, { recursive: true, force: true });
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const arg = (k) => (argv.includes(k) ? argv[argv.indexOf(k) + 1] : null);
  const name = argv.find((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--'));
  if (!name || !existsSync(join(VIDEOS, `${name}.truth.json`))) {
    console.error('usage: node bench/eval/sheet.mjs NAME [--picks bench/results/eval-tune.json] [--method framepick]');
    process.exit(2);
  }
  console.log(await sheet(name, { picks: arg('--picks'), method: arg('--method') || 'framepick' }));
}
