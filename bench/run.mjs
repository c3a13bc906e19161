#!/usr/bin/env node
// framepick benchmarks: speed, memory, inference, pick quality, decode. See BENCHMARKS.md.
//   node bench/run.mjs            full run (≈ 20–25 min on 2 cores, plus ≈ 15 min for the evaluation set
//                                 of bench/eval in the quality part), writes BENCHMARKS.md
//                                 and bench/results/latest.json
//   node bench/run.mjs --smoke    one short clip, one run of everything (< 2 min);
//                                 writes bench/results/smoke.json; exit 1 on any failure
//   --runs N                      runs per measurement (default 3)
//   --only speed,memory,inference,startup,quality,decode   run these parts only; the others are kept from
//                                 bench/results/latest.json and BENCHMARKS.md is rewritten
//   --long-runs N                 runs on the 10-minute clip (default 1)
//   --long-single                 also the single-thread build on the 10-minute clip
//   --clips a,b                   with --only speed: run these speed clips, keep the others
import { existsSync, mkdirSync, writeFileSync, readFileSync, statSync, rmSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pickInBrowser } from '../bin/framepick.mjs';
import { pickWithMemory, launch } from './driver.mjs';
import { wasmInference } from './inference.mjs';
import { startup } from './startup.mjs';
import { decodeBench } from './decode.mjs';
import { speedClip, qualityVideo } from './videos.mjs';
import * as quality from './quality.mjs';
import { run, must, stats, machine, load } from './lib.mjs';
import { writeMarkdown } from './report.mjs';
import { runEval } from './eval/run.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const argv = process.argv.slice(2);
const SMOKE = argv.includes('--smoke');
const RUNS = Number(argv[argv.indexOf('--runs') + 1]) || (SMOKE ? 1 : 3);
const ONLY = argv.includes('--only') ? argv[argv.indexOf('--only') + 1].split(',') : null;
const want = (s) => !ONLY || ONLY.includes(s);
// The 10-minute clip costs minutes a run (FFmpeg decodes all 18 000 frames): fewer runs.
const LONG_RUNS = Number(argv[argv.indexOf('--long-runs') + 1]) || 1;
const LONG = new Set(['10min-1080p', '10min-1080p-x264', '10min-1080p-gop1', '10min-1080p-vp9']);
// The single-thread build runs on the original clips only (the GOP variants compare decode plans).
const SINGLE_TOO = new Set(['30s-720p', '2min-1080p']);
const T0 = Date.now();
const log = (...a) => console.log(`[${((Date.now() - T0) / 1000).toFixed(0).padStart(4)} s]`, ...a);
const failures = [];
const fail = (what) => { failures.push(what); console.error(`FAIL: ${what}`); };

// The smoke mode reuses its 23 s labelled video as its only speed / memory clip.
const CLIPS = argv.includes('--clips') ? argv[argv.indexOf('--clips') + 1].split(',') : null;
const SPEED = SMOKE ? ['q0-smoke'] : ['30s-720p', '2min-1080p', '2min-1080p-gop1', '2min-1080p-x264', '2min-1080p-vp9',
  '10min-1080p', '10min-1080p-x264', '10min-1080p-gop1', '10min-1080p-vp9'].filter((c) => !CLIPS || CLIPS.includes(c));
const MEMORY = SMOKE ? ['q0-smoke'] : ['30s-720p', '2min-1080p', '10min-1080p', '1min-4k'];
const QUALITY = SMOKE ? ['q0-smoke'] : ['q1-mixed', 'q2-tempting', 'q3-long-shots'];
const FULL_DEEP = SMOKE ? [] : ['30s-720p'].filter((c) => SPEED.includes(c));
const DECODE = SMOKE ? 'q0-smoke' : '2min-1080p';

/** When the wasm packages measured were built (parts run at different times may differ). */
function wasmStamp() {
  try { return statSync(join(ROOT, 'www/pkg/threads/framepick_bg.wasm')).mtime.toISOString(); } catch { return null; }
}

function checkPick(what, r, top = 10) {
  if (!r || r.error) return fail(`${what}: ${r?.error?.code || 'no result'} ${r?.error?.message || ''}`);
  // Fewer than `top` is allowed (framepick returns no spoiled frames to fill up), with a warning.
  if (!r.candidates.length || r.candidates.length > top) fail(`${what}: ${r.candidates.length} picks, wanted ${top}`);
  else if (r.candidates.length < top && !r.report?.warnings?.some((w) => w.includes('fewer picks'))) {
    fail(`${what}: ${r.candidates.length} picks without a warning, wanted ${top}`);
  }
  if (!Number.isFinite(r.report?.timings?.totalMs)) fail(`${what}: no timings in the report`);
}

function summarizeReport(rep) {
  const { timings, framesDecoded, framesDecodedPass1, framesDecodedPass2, framesSkipped, framesSampled, framesCoarse,
    framesDense, shots, transitions, framesDeep, framesRejected, threads, wasm, decoder, modelLoadMs,
    sampleInterval, width, height, durationS, codec, rangeReads, samples, decodePlan, hold } = rep;
  return { timings, framesDecoded, framesDecodedPass1, framesDecodedPass2, framesSkipped, framesSampled, framesCoarse,
    framesDense, shots, transitions, framesDeep, framesRejected, threads, wasm, decoder, modelLoadMs,
    sampleInterval, width, height, durationS, codec, rangeReads, samples, decodePlan, hold };
}

// The CLI keeps a browser profile (bin/profile.mjs): its code cache holds the wasm compiled
// by the previous run. The bench keeps its own, emptied at the start, and times each clip
// once more in a throwaway profile (`cache: false`), as a first run after install would go.
process.env.FRAMEPICK_CACHE_DIR = join(ROOT, 'bench/.cache/browser-profiles');

async function framepickOnce(video, threads, { cache = true } = {}) {
  const t0 = performance.now();
  const r = await pickInBrowser(video, { top: 10, cache, ...(threads ? { threads } : {}) });
  const wallMs = performance.now() - t0;
  return { r, wallMs };
}

async function main() {
  if (['threads', 'single', 'baseline'].some((b) => !existsSync(join(ROOT, 'www/pkg', b)))) {
    log('www/pkg missing: ./build.sh');
    await must('bash', ['build.sh'], { cwd: ROOT });
  }
  const browser = await launch();
  const chromium = browser.version();
  await browser.close();
  const results = {
    date: new Date().toISOString(), command: SMOKE ? 'npm run bench:smoke' : `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
    runs: RUNS, smoke: SMOKE, machine: { ...machine(), chromium, ffmpeg: (await run('ffmpeg', ['-version'])).stdout.split('\n')[0] },
    gpu: 'off (Chromium runs with --disable-gpu: software H.264 decode in WebCodecs, software canvas)',
    load: [], speed: {}, fullDeep: {}, memory: {}, inference: {}, startup: {}, quality: {}, eval: {}, decode: {}, sections: {},
  };
  const latest = join(HERE, 'results/latest.json');
  if (ONLY && !SMOKE && existsSync(latest)) { // keep the other sections of the last full run
    const prev = JSON.parse(readFileSync(latest, 'utf8'));
    for (const k of ['speed', 'fullDeep', 'memory', 'inference', 'startup', 'quality', 'eval', 'decode', 'sections']) {
      if (prev[k]) results[k] = prev[k];
    }
    results.load = (prev.load || []).filter((l) => !ONLY.some((o) => l.stage.startsWith(o)));
    results.elapsedS0 = prev.elapsedS;
  }
  for (const sec of ['speed', 'memory', 'inference', 'startup', 'quality', 'decode']) {
    if (want(sec)) {
      results.sections[sec] = { date: results.date, command: results.command, runs: RUNS, longRuns: LONG_RUNS,
        wasmBuilt: wasmStamp() };
      if (sec === 'speed' && CLIPS) continue; // --clips: replace those clips only
      if (sec === 'speed') results.fullDeep = {};
      if (sec === 'quality' && !SMOKE) results.eval = {};
      results[sec] = {};
    }
  }
  const noteLoad = (stage) => { const l = load(); results.load.push({ stage, load: l }); log(`${stage}: load average ${l.join(' ')}`); };

  // ── inputs ──
  noteLoad('inputs');
  const clips = {};
  const qvids = {};
  if (want('quality') || SMOKE) for (const q of QUALITY) qvids[q] = await qualityVideo(q, log);
  for (const c of new Set([...(want('speed') ? SPEED : []), ...(want('memory') ? MEMORY : []), ...(want('decode') ? [DECODE] : [])])) {
    clips[c] = qvids[c] ? qvids[c].video : await speedClip(c, log);
  }
  log('inputs ready');

  // ── speed ──
  if (want('speed')) {
    rmSync(process.env.FRAMEPICK_CACHE_DIR, { recursive: true, force: true }); // the first run is a first run
    for (const name of SPEED) {
      noteLoad(`speed ${name}`);
      const video = clips[name];
      const { frames, duration } = await quality.probeFrames(video);
      const batch = Math.ceil(frames / 10);
      const rows = { threads: [], single: [], fresh: [], ffmpegWhole: [], ffmpegLiteral: [] };
      const runs = LONG.has(name) ? Math.min(RUNS, LONG_RUNS) : RUNS;
      for (let i = 0; i < runs; i++) {
        // single-thread on the 10-minute clip only with --long-single (minutes a run)
        const single = LONG.has(name) ? argv.includes('--long-single') : SINGLE_TOO.has(name) || SMOKE;
        for (const flavour of single ? ['threads', 'single'] : ['threads']) {
          const { r, wallMs } = await framepickOnce(video, flavour === 'single' ? 1 : null);
          checkPick(`speed ${name} ${flavour} run ${i + 1}`, r);
          if (r.report && r.report.wasm !== flavour) fail(`speed ${name}: asked for ${flavour}, got ${r.report.wasm}`);
          rows[flavour].push({ wallMs, ...(r.report ? summarizeReport(r.report) : { error: r.error }) });
          log(`${name} ${flavour} #${i + 1}: ${(wallMs / 1000).toFixed(2)} s end to end, ` +
            `${((r.report?.timings?.totalMs || NaN) / 1000).toFixed(2)} s in the page`);
        }
        // FFmpeg's thumbnail filter over the whole file (decodes every frame). Its default
        // 100-frame batches: thumbnail=n=⌈frames/10⌉ would buffer a tenth of the video in RAM
        // (5.6 GB for the 10-minute 1080p clip); the decoding work is the same.
        const fw = await run('ffmpeg', ['-hide_banner', '-nostats', '-v', 'error', '-i', video,
          '-vf', 'thumbnail', '-an', '-f', 'null', '-']);
        if (fw.code !== 0) fail(`ffmpeg thumbnail on ${name}: ${fw.stderr.slice(-300)}`);
        rows.ffmpegWhole.push({ wallMs: fw.ms });
        // The literal command `-vf thumbnail -frames:v 1`: stops after the first batch (100 frames).
        const f1 = await run('ffmpeg', ['-hide_banner', '-nostats', '-v', 'error', '-i', video,
          '-vf', 'thumbnail', '-frames:v', '1', '-an', '-f', 'null', '-']);
        rows.ffmpegLiteral.push({ wallMs: f1.ms });
        log(`${name} ffmpeg thumbnail #${i + 1}: ${(fw.ms / 1000).toFixed(2)} s (all ${frames} frames), ` +
          `${(f1.ms / 1000).toFixed(2)} s (-frames:v 1)`);
      }
      {
        const { r, wallMs } = await framepickOnce(video, null, { cache: false });
        checkPick(`speed ${name} fresh profile`, r);
        rows.fresh.push({ wallMs, ...(r.report ? summarizeReport(r.report) : { error: r.error }) });
        log(`${name} threads, fresh profile: ${(wallMs / 1000).toFixed(2)} s end to end, ` +
          `${((r.report?.timings?.totalMs || NaN) / 1000).toFixed(2)} s in the page`);
      }
      const s = (rs, f) => stats(rs.map(f));
      const summary = {};
      for (const k of ['threads', 'single', 'fresh']) {
        summary[k] = {
          wallMs: s(rows[k], (x) => x.wallMs), totalMs: s(rows[k], (x) => x.timings?.totalMs),
          demuxMs: s(rows[k], (x) => x.timings?.demuxMs), decodeMs: s(rows[k], (x) => x.timings?.decodeMs),
          deepMs: s(rows[k], (x) => x.timings?.deepMs), encodeMs: s(rows[k], (x) => x.timings?.encodeMs),
          modelLoadMs: s(rows[k], (x) => x.modelLoadMs),
        };
      }
      summary.ffmpegWhole = { wallMs: s(rows.ffmpegWhole, (x) => x.wallMs) };
      summary.ffmpegLiteral = { wallMs: s(rows.ffmpegLiteral, (x) => x.wallMs) };
      const m = (k, f = 'totalMs') => summary[k][f].median;
      const div = (a, b) => (a == null || b == null || !b ? null : a / b);
      summary.ratios = {
        ffmpegWholeOverThreadsPage: div(summary.ffmpegWhole.wallMs.median, m('threads')),
        ffmpegWholeOverThreadsWall: div(summary.ffmpegWhole.wallMs.median, m('threads', 'wallMs')),
        singleOverThreadsPage: div(m('single'), m('threads')),
        singleOverThreadsDeep: div(m('single', 'deepMs'), m('threads', 'deepMs')),
      };
      const first = rows.threads.find((x) => x.framesDecoded !== undefined) || {};
      const keyframes = await quality.countKeyframes(video);
      results.speed[name] = { date: new Date().toISOString(), command: results.command, runsDone: runs, wasmBuilt: wasmStamp(),
        keyframes, codec: first.codec, plan: first.decodePlan, hold: first.hold, framesDecodedPass2: first.framesDecodedPass2,
        framesSkipped: first.framesSkipped,
        video: video.replace(ROOT + '/', ''), frames, duration, bytes: readFileSync(video).length,
        thumbnailBatch: batch, framesDecoded: first.framesDecoded, framesDecodedPass1: first.framesDecodedPass1,
        framesSampled: first.framesSampled, framesDeep: first.framesDeep, threads: first.threads,
        wasm: first.wasm, sampleInterval: first.sampleInterval, summary, runs: rows };
    }
    // Without the two-stage selection: every 0.5 s sample analysed deeply (deepK = all).
    for (const name of FULL_DEEP) {
      noteLoad(`every-sample-deep ${name}`);
      const r = await pickWithMemory(clips[name], { everyMs: 0,
        extra: { deepK: 1e6, sampleInterval: 0.5, twoPass: false } });
      checkPick(`every-sample-deep ${name}`, r.result);
      results.fullDeep[name] = r.result.report ? summarizeReport(r.result.report) : { error: r.result.error };
      log(`${name} every sample deep: ${((r.result.report?.timings?.totalMs || NaN) / 1000).toFixed(2)} s, ` +
        `${r.result.report?.framesDeep} frames deep`);
    }
  }

  // ── memory ──
  if (want('memory')) {
    for (const name of MEMORY) {
      noteLoad(`memory ${name}`);
      const r = await pickWithMemory(clips[name], { everyMs: 200 });
      checkPick(`memory ${name}`, r.result);
      const step = Math.max(1, Math.floor(r.series.length / 100));
      results.memory[name] = { ...r.memory, totalMs: r.result.report?.timings?.totalMs,
        series: r.series.filter((_, i) => i % step === 0).map((x) => ({ t: Math.round(x.t), rendererRss: x.rendererRss,
          pageJsHeapUsed: x.pageJsHeapUsed, workerJsHeapUsed: x.workerJsHeapUsed })) };
      if (!r.memory.peakRendererRss) fail(`memory ${name}: no renderer RSS`);
      log(`${name} memory: renderer RSS peak ${(r.memory.peakRendererRss / 2 ** 20).toFixed(0)} MiB, ` +
        `wasm ${(r.memory.wasmMemoryEnd / 2 ** 20).toFixed(0)} MiB, ${r.memory.samples} samples`);
    }
  }

  // ── start-up and download (issue 15) ──
  if (want('startup')) {
    noteLoad('startup');
    results.startup = await startup({ threads: 2, warmRuns: SMOKE ? 1 : 3 });
    for (const [flavour, r] of Object.entries(results.startup)) {
      if (!r.faceModel) fail(`startup ${flavour}: the face model did not load`);
      log(`startup ${flavour}: create() cold ${r.coldMs.toFixed(0)} ms, warm ${r.warmMs.median.toFixed(0)} ms; ` +
        `${(r.download.gzip / 1e6).toFixed(2)} MB gzipped`);
    }
  }

  // ── inference ──
  if (want('inference')) {
    noteLoad('inference');
    const frames = SMOKE ? 8 : 48;
    const bin = join(ROOT, 'target/release/examples/bench_faces');
    if (process.env.BENCH_NO_CARGO) results.inference.nativeBuildNote = `BENCH_NO_CARGO=${process.env.BENCH_NO_CARGO}: the binary already built was used`;
    if (!SMOKE && !process.env.BENCH_NO_CARGO) {
      log('cargo build --release --example bench_faces');
      const b = await run('cargo', ['build', '--release', '--example', 'bench_faces'], { cwd: ROOT });
      if (b.code !== 0) {
        const msg = `cargo build --release --example bench_faces failed: ${b.stderr.trim().split('\n').slice(-3).join(' ')}`;
        if (existsSync(bin)) { results.inference.nativeBuildNote = `${msg}; the binary already built was used`; log(results.inference.nativeBuildNote); }
        else fail(msg);
      }
    }
    // Rounds of the three wasm builds and native one after the other, so that all see the
    // same drift of this machine's speed (native alone read 9.8–14.9 ms within two minutes on
    // 2026-12-02); each figure is the round with its best median.
    const rounds = SMOKE ? 1 : 4;
    const builds = ['single', 'threads', 'baseline'];
    const runs = { single: [], threads: [], baseline: [], native: [] };
    for (let i = 0; i < rounds; i++) {
      for (const flavour of builds) runs[flavour].push(await wasmInference({ flavour, threads: 2, frames }));
      if (existsSync(bin)) {
        const r = await run(bin, [String(frames)], { cwd: ROOT });
        if (r.code !== 0) { fail(`bench_faces: ${r.stderr.slice(-300)}`); break; }
        runs.native.push(JSON.parse(r.stdout.trim().split('\n').pop()));
      }
    }
    const best = (rs) => ({ ...rs.reduce((a, b) => (b.singleMsPerFrame.median < a.singleMsPerFrame.median ? b : a)), all: rs });
    for (const flavour of builds) {
      const rs = runs[flavour];
      results.inference[`wasm-${flavour}`] = best(rs);
      if (!(rs[0].faces >= 1)) fail(`wasm ${flavour}: no face found in the astronaut frame`);
      log(`wasm ${flavour}: ${rs.map((x) => x.singleMsPerFrame.median.toFixed(1)).join(', ')} ms/frame one by one, ` +
        `${rs.map((x) => x.batchMsPerFrame.median.toFixed(1)).join(', ')} ms/frame batch`);
    }
    if (runs.native.length) {
      results.inference.native = best(runs.native);
      log(`native: ${runs.native.map((x) => x.singleMsPerFrame.median.toFixed(1)).join(', ')} ms/frame, ` +
        `${runs.native.map((x) => x.batchMsPerFrame.median.toFixed(1)).join(', ')} ms/frame batch`);
    } else {
      results.inference.native = { skipped: `target/release/examples/bench_faces not built${SMOKE ? ' (the smoke mode does not build it)' : ''}` };
      log('native: skipped, binary not built');
    }
    const w1 = results.inference['wasm-single']; const wt = results.inference['wasm-threads'];
    const wb = results.inference['wasm-baseline'];
    const n = results.inference.native;
    const overNative = (w) => (n?.singleMsPerFrame ? w.singleMsPerFrame.median / n.singleMsPerFrame.median : null);
    results.inference.ratios = {
      wasmSingleOverNative: overNative(w1),
      // The threaded build detecting one frame after another: one thread too.
      wasmThreadsOverNative: overNative(wt),
      // The build without relaxed SIMD (Safari).
      wasmBaselineOverNative: overNative(wb),
      wasmThreadsBatchOverNativeBatch: n?.batchMsPerFrame ? wt.batchMsPerFrame.median / n.batchMsPerFrame.median : null,
      wasmSingleBatchOverThreadsBatch: w1.batchMsPerFrame.median / wt.batchMsPerFrame.median,
    };
    // From the pipeline runs: deep stage per deep frame, threads vs single.
    const sp = results.speed['2min-1080p'] || results.speed['30s-720p'];
    if (sp) {
      const per = (k) => sp.summary[k].deepMs.median / sp.framesDeep;
      results.inference.pipelineDeepMsPerFrame = { clip: Object.keys(results.speed).find((k) => results.speed[k] === sp),
        threads: per('threads'), single: per('single') };
    }
  }

  // ── pick quality ──
  if (want('quality')) {
    for (const name of QUALITY) {
      noteLoad(`quality ${name}`);
      const { video, truth } = qvids[name];
      const { frames } = await quality.probeFrames(video);
      const fp = await pickInBrowser(video, { top: 10 });
      checkPick(`quality ${name}`, fp);
      const th = await quality.ffmpegThumbnails(video, frames);
      const he = await quality.hecate(video, truth.fps);
      const methods = {
        framepick: quality.score(truth, (fp.candidates || []).map((c) => c.time)),
        'ffmpeg thumbnail': quality.score(truth, th.times),
        uniform: quality.score(truth, quality.uniform(truth.duration)),
        'Hecate-style': quality.score(truth, he.times),
      };
      results.quality[name] = { duration: truth.duration, goodShots: truth.goodShots, faceShots: truth.faceShots,
        spoiledSeconds: truth.spoiledSeconds, methods, hecate: { shotsFound: he.shotsFound, rejected: he.rejected, framesAnalysed: he.framesAnalysed } };
      for (const [m, s] of Object.entries(methods)) {
        log(`${name} ${m.padEnd(16)} spoiled ${s.spoiled}/10 ${s.spoiledLabels.join(',')} faces ${s.facePicks} ` +
          `(${s.faceShotsCovered}/${s.faceShots} face shots) distinct ${s.distinctShots}/${s.goodShots}`);
      }
    }
  }
  // ── pick quality on the evaluation set (issue 13): both halves, framepick + baselines ──
  if (want('quality') && !SMOKE) {
    for (const split of ['tune', 'check']) {
      noteLoad(`quality eval ${split}`);
      const r = await runEval({ split, log });
      for (const f of r.failures) fail(`eval ${split}: ${f}`);
      results.eval[split] = r;
      const S = r.summary.framepick;
      if (S) log(`eval ${split}: framepick spoiled ${S.spoiledShare.toFixed(2)}, faces ${S.faceShare.toFixed(2)} of ${S.bestFaceShare.toFixed(2)}, ` +
        `looks ${S.distinctLooks.toFixed(1)} of ${S.looksTarget.toFixed(1)}, ${S.meetsTargets}/${S.videos} videos meet the targets`);
    }
  }
  // ── decode (issue 3) ──
  if (want('decode')) {
    noteLoad(`decode ${DECODE}`);
    const video = clips[DECODE];
    const { frames, duration } = await quality.probeFrames(video);
    const d = await decodeBench(video, { runs: RUNS, log });
    for (const [k, b] of Object.entries(d.browser)) {
      // copyTo({format: 'RGBA'}) may be missing from a Chromium: reported, not a failure.
      if (b.unsupported) continue;
      if (b.errors.length) fail(`decode ${k}: ${b.errors[0]}`);
      else if (!b.targets || b.readBack !== b.targets) fail(`decode ${k}: ${b.readBack} of ${b.targets} targets read back`);
    }
    for (const [m, f] of Object.entries(d.ffmpeg)) if (!f.frames) fail(`decode ffmpeg ${m}: no frames`);
    results.decode = { clip: DECODE, video: video.replace(ROOT + '/', ''), frames, duration,
      bytes: statSync(video).size, runsDone: RUNS, ...d };
  }
  noteLoad('end');
  results.elapsedS = (Date.now() - T0) / 1000 + (results.elapsedS0 || 0);
  results.failures = failures;

  const outDir = join(HERE, 'results');
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, SMOKE ? 'smoke.json' : 'latest.json');
  writeFileSync(out, JSON.stringify(results, null, 1));
  log(`raw numbers: ${out.replace(ROOT + '/', '')}`);
  if (!SMOKE) {
    writeMarkdown(results, join(ROOT, 'BENCHMARKS.md'));
    log('BENCHMARKS.md written');
  }
  if (failures.length) {
    console.error(`${failures.length} failure(s):\n  ${failures.join('\n  ')}`);
    process.exit(1);
  }
  log(`done in ${results.elapsedS.toFixed(0)} s`);
}

main().catch((e) => { console.error(e.stack || e); process.exit(1); });
