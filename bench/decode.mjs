// Decode benchmark (issue 3): bench/decode.html + decode-worker.js in headless Chromium
// (keyframes only and 1 fps sampling × three readbacks) beside FFmpeg decoding the same
// file (all frames, and keyframes only with -skip_frame nokey), interleaved run by run so
// both see the same machine load.
//   node bench/decode.mjs VIDEO [RUNS]   prints the summary as JSON
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../www/server.mjs';
import { launch } from './driver.mjs';
import { run, stats } from './lib.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const MODES = ['keyframes', '1fps'];
export const READBACKS = ['canvas', 'copyTo', 'copyToRGBA'];
// The FFmpeg run doing the same work as each browser mode: the keyframes alone; for
// 1 fps FFmpeg has no decode plan, so it decodes every frame (as `-vf fps=1` would).
const FFMPEG = { keyframes: ['-skip_frame', 'nokey'], '1fps': [] };

/** `ffmpeg -hide_banner [extra] -i VIDEO -f null -`: {wallMs, frames} (frames from its last stats line). */
async function ffmpegDecode(video, extra) {
  const r = await run('ffmpeg', ['-hide_banner', ...extra, '-i', video, '-f', 'null', '-']);
  if (r.code !== 0) throw new Error(`ffmpeg ${extra.join(' ')}: ${r.stderr.slice(-300)}`);
  return { wallMs: r.ms, frames: Number([...r.stderr.matchAll(/frame=\s*(\d+)/g)].at(-1)?.[1]) };
}

export async function decodeBench(video, { runs = 3, log = () => {} } = {}) {
  const server = await startServer({ root: resolve(HERE, '../www'), extraRoots: { '/bench/': HERE } });
  const browser = await launch();
  const rows = Object.fromEntries([...MODES.flatMap((m) => READBACKS.map((r) => `${m}/${r}`)),
    ...MODES.map((m) => `ffmpeg/${m}`)].map((k) => [k, []]));
  try {
    const page = await browser.newPage();
    await page.goto(new URL('bench/decode.html', server.url).href);
    await page.setInputFiles('#file', video);
    // Unmeasured warm-up: the decoder's first configure, and the file in the page cache
    // (FFmpeg reads all of it) before either side is timed.
    await page.evaluate((o) => window.decodeBench(o), { mode: 'keyframes', readback: 'canvas' });
    await ffmpegDecode(video, FFMPEG.keyframes);
    for (let i = 0; i < runs; i++) {
      for (const mode of MODES) {
        for (const readback of READBACKS) {
          const r = await page.evaluate((o) => window.decodeBench(o), { mode, readback });
          rows[`${mode}/${readback}`].push(r);
          log(`decode ${mode} ${readback} #${i + 1}: ${r.error ? `error: ${r.error}` : `${r.framesDecoded} decoded, ` +
            `${r.readBack}/${r.targets} read back in ${(r.wallMs / 1000).toFixed(2)} s`}`);
        }
        const f = await ffmpegDecode(video, FFMPEG[mode]);
        rows[`ffmpeg/${mode}`].push(f);
        log(`decode ffmpeg ${mode} #${i + 1}: ${f.frames} frames in ${(f.wallMs / 1000).toFixed(2)} s`);
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return summarize(rows);
}

/** Medians (min–max) per measurement, and FFmpeg ÷ browser time for the matching work. */
function summarize(rows) {
  const out = { browser: {}, ffmpeg: {}, ratios: {} };
  const perS = (rs, k) => stats(rs.map((r) => r[k] / (r.wallMs / 1000)));
  for (const [key, rs] of Object.entries(rows)) {
    const [a, b] = key.split('/'); // mode/readback, or ffmpeg/mode
    const ok = rs.filter((r) => !r.error);
    if (a === 'ffmpeg') {
      out.ffmpeg[b] = { frames: ok[0]?.frames, wallMs: stats(ok.map((r) => r.wallMs)), framesPerS: perS(ok, 'frames') };
      continue;
    }
    const first = ok[0] || {};
    out.browser[key] = { mode: a, readback: b, runsOk: ok.length, errors: rs.filter((r) => r.error).map((r) => r.error),
      unsupported: rs.some((r) => r.unsupported), framesDecoded: first.framesDecoded, chunks: first.chunks,
      targets: first.targets, readBack: first.readBack, missing: first.missing, bytesPerRead: first.bytesPerRead,
      format: first.format, demuxMs: stats(ok.map((r) => r.demuxMs)), wallMs: stats(ok.map((r) => r.wallMs)),
      decodedPerS: perS(ok, 'framesDecoded'), readPerS: perS(ok, 'readBack') };
  }
  for (const [key, b] of Object.entries(out.browser)) {
    const f = out.ffmpeg[b.mode].wallMs.median;
    out.ratios[key] = b.wallMs.median && f != null ? f / b.wallMs.median : null;
  }
  const any = Object.values(rows).flat().find((r) => r.codec) || {};
  return { codec: any.codec, width: any.width, height: any.height, canvas: any.canvas, ...out };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await decodeBench(resolve(process.argv[2]), { runs: Number(process.argv[3]) || 1, log: console.log });
  console.log(JSON.stringify(r, null, 1));
}
