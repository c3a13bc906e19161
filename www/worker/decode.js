// Decoding: the checks made before anything is decoded, the decoder's configuration and
// the planned runs fed to a VideoDecoder. Every pass (coarse, dense, picks) goes through
// decodeTargets.
import { FramepickError, checkAbort } from './common.js';

export const MAX_QUEUED_CHUNKS = 12;
const MAX_RUN_BYTES = 8 << 20;
const MAX_DECODER_RESETS = 20;

/**
 * The decode-plan options (issue 14): a non-number would silently mean "no budget" or
 * "no hold", so it is refused before anything is read.
 */
export function checkDecodeOptions({ decodeBudget, denseTolerance, holdBytes }) {
  const bad = [
    [decodeBudget, (v) => typeof v === 'number' && v > 0, 'decodeBudget must be a number of units over 0 (Infinity: no budget)'],
    [denseTolerance, (v) => typeof v === 'number' && v >= 0 && Number.isFinite(v), 'denseTolerance must be seconds, 0 or more'],
    [holdBytes, (v) => typeof v === 'number' && v >= 0, 'holdBytes must be a byte count, 0 or more (0: off)'],
  ].find(([v, ok]) => v !== undefined && !ok(v));
  if (bad) throw new FramepickError('INVALID_ARGUMENT', `${bad[2]}, not ${JSON.stringify(bad[0])}`);
}

/** Caps checked before any decoding (docs/api.md, docs/bad-input.md); each pick option overrides its default. */
export function checkLimits(file, track, { maxFileBytes = 2 ** 34, maxPixels = 8192 * 8192, maxFrames = 2e6 }) {
  const pixels = track.codedWidth * track.codedHeight;
  const over = [
    [file.size > maxFileBytes, 'INPUT_TOO_LARGE', `the file is ${file.size} bytes, over maxFileBytes ` +
      `(${maxFileBytes}): pass a larger maxFileBytes to pick(), or trim the video`],
    [pixels > maxPixels, 'RESOLUTION_TOO_LARGE', `the video declares ${track.codedWidth}x${track.codedHeight} ` +
      `pixels (${pixels}), over maxPixels (${maxPixels}): pass a larger maxPixels to pick(), or re-encode it smaller`],
    [track.samples.length > maxFrames, 'TOO_MANY_FRAMES', `the video has ${track.samples.length} frames, ` +
      `over maxFrames (${maxFrames}): pass a larger maxFrames to pick(), or split the video`],
  ].find(([hit]) => hit);
  if (over) throw new FramepickError(over[1], over[2]);
}

/**
 * Frames over this (1080p as coded, rows padded to 1088) decode the picks in low-delay
 * mode: a frame-threaded decoder keeps a frame per thread in flight, 12 MB each at 4K,
 * and the picks' stage is where a pick's memory peaks (issue 15).
 */
const FRAME_THREADS_MAX_PIXELS = 1920 * 1088;

/**
 * The decoder config for re-decoding the picks. `decoderConfig` asks for
 * `optimizeForLatency: false`, which lets Chromium's software decoder use frame threads
 * (with `true` it uses slice threads only and, with one slice per picture as x264 and
 * phones write, decodes on one core). Nothing here needs a frame before the next chunk
 * is fed (each pass ends with a flush), so the output delay costs nothing: a 2-minute
 * 1080p pick went from 6.2–6.5 s to 4.6–4.8 s in the page on 2 cores (BENCHMARKS.md).
 * Above 1080p the picks go back to the one-thread mode, which holds fewer frames.
 */
export function picksDecoderConfig(config, track) {
  const large = track.codedWidth * track.codedHeight > FRAME_THREADS_MAX_PIXELS;
  return large ? { ...config, optimizeForLatency: true } : config;
}

export async function decoderConfig(demuxer, track) {
  if (typeof VideoDecoder !== 'function') {
    throw new FramepickError('UNSUPPORTED_CODEC',
      `this browser has no WebCodecs VideoDecoder, so ${track.codec} cannot be decoded`);
  }
  const config = {
    codec: track.codec,
    codedWidth: track.codedWidth,
    codedHeight: track.codedHeight,
    description: demuxer.description(),
    optimizeForLatency: false,
  };
  const support = await VideoDecoder.isConfigSupported(config);
  if (!support.supported) {
    throw new FramepickError('UNSUPPORTED_CODEC',
      `the browser cannot decode ${track.codec} (${track.codedWidth}x${track.codedHeight}); ` +
      're-encode as H.264, VP9 or AV1');
  }
  return config;
}

/**
 * Feed the decoder the planned runs (each starts at a keyframe) and hand every frame
 * whose timestamp is a target to `onTarget`, which must close it. Other frames are
 * closed at once, so the decoder never stalls on frames we hold. A chunk the decoder
 * rejects costs the rest of its GOP, not the run: the decoder is rebuilt and feeding
 * resumes at the next keyframe, with a warning.
 */
export async function decodeTargets(id, demuxer, track, config, plan, onTarget, onProgress) {
  const wanted = new Set(plan.targets.map((i) => track.samples[i].ptsUs));
  const warnings = [];
  let fatal = null;
  let broken = null; // the decoder's last error, until we rebuild it
  let framesDecoded = 0;
  let framesSkipped = 0; // non-reference pictures left out of the runs
  const makeDecoder = () => {
    const d = new VideoDecoder({
      output: (frame) => {
        framesDecoded++;
        if (fatal || !wanted.has(frame.timestamp)) return frame.close();
        wanted.delete(frame.timestamp);
        try { onTarget(frame); } catch (e) { fatal = e; frame.close(); }
      },
      error: (e) => { broken = e; },
    });
    d.configure(config);
    return d;
  };
  let decoder = makeDecoder();
  const recover = (at) => {
    warnings.push(`corrupt data near ${(at / 1e6).toFixed(2)} s: skipped to the next keyframe ` +
      `(${broken?.message || 'decoder error'})`);
    if (warnings.length > MAX_DECODER_RESETS) {
      throw new FramepickError('CORRUPT_MEDIA', `too many corrupt frames; last near ${(at / 1e6).toFixed(2)} s`);
    }
    if (decoder.state !== 'closed') decoder.close();
    broken = null;
    decoder = makeDecoder();
  };
  // Feed runs back to back. No flush between runs: each starts at a keyframe, which a
  // decoder takes at any point, and a flush per run costs a round trip (most of the
  // time when runs are single keyframes).
  const feedRuns = async (runs, progress) => {
    let skipToKey = false;
    for (const run of runs) {
      for (let first = run.first; first <= run.last;) {
        const last = batchEnd(track.samples, first, run.last);
        const { bytes, offsets, disposable } = demuxer.readSamples(first, last);
        for (let i = first; i <= last; i++) {
          checkAbort(id);
          if (fatal) throw fatal;
          const s = track.samples[i];
          if (broken) { recover(s.ptsUs); skipToKey = true; }
          progress.fed++;
          if (skipToKey && !s.keyframe) continue;
          skipToKey = false;
          // A picture nothing refers to, and not one we want: no need to decode it.
          if (disposable?.[i - first] && !wanted.has(s.ptsUs)) {
            framesSkipped++;
            continue;
          }
          const off = offsets[i - first];
          try {
            decoder.decode(new EncodedVideoChunk({
              type: s.keyframe ? 'key' : 'delta',
              timestamp: s.ptsUs,
              duration: s.durationUs,
              data: bytes.subarray(off, off + s.size),
            }));
          } catch (e) {
            // Chromium checks keyframes synchronously: a damaged one throws here.
            broken = e;
            recover(s.ptsUs);
            skipToKey = true;
            continue;
          }
          if (decoder.decodeQueueSize > MAX_QUEUED_CHUNKS) await drained(decoder);
        }
        onProgress(Math.min(1, progress.fed / progress.total));
        first = last + 1;
      }
    }
  };
  try {
    const total = plan.runs.reduce((n, r) => n + r.last - r.first + 1, 0);
    const progress = { fed: 0, total };
    let runs = plan.runs;
    while (runs.length) {
      await feedRuns(runs, progress);
      await decoder.flush().catch((e) => { broken ??= e; });
      if (fatal) throw fatal;
      if (!broken) break;
      // The decoder failed after its input was queued and dropped what it held:
      // resume after the first run whose target never came out.
      const undelivered = runs.filter((r) => wanted.has(track.samples[r.last].ptsUs));
      if (!undelivered.length) break;
      recover(track.samples[undelivered[0].first].ptsUs);
      runs = undelivered.slice(1);
    }
    return { framesDecoded, framesSkipped, warnings };
  } finally {
    if (decoder.state !== 'closed') decoder.close();
  }
}

/** Last sample index of a read batch: up to MAX_RUN_BYTES of sample data. */
function batchEnd(samples, first, runLast) {
  let bytes = 0;
  let i = first;
  while (i < runLast && bytes + samples[i].size < MAX_RUN_BYTES) bytes += samples[i++].size;
  return i;
}

export function drained(decoder) {
  return new Promise((resolve) => {
    const done = () => { decoder.removeEventListener('dequeue', done); clearTimeout(t); resolve(); };
    // `dequeue` may not fire in every browser; the timer is the fallback.
    const t = setTimeout(done, 5);
    decoder.addEventListener('dequeue', done);
  });
}
