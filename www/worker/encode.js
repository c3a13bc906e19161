// The picks at full size: taken from the frame hold (hold.js) or decoded again, and
// encoded as images, with the crop images asked for.
import { decodeTargets, picksDecoderConfig } from './decode.js';
import { drawOriented, drawRgba, frameCopier } from './measure.js';

/**
 * The full-size frame hold (worker/hold.js), or null where it is off (`holdBytes: 0`) or
 * worker/hold.js was not copied beside worker.js (the picks are then decoded again).
 */
export async function frameHold(maxBytes, standing) {
  if (!(maxBytes > 0)) return null;
  const mod = await import('./hold.js').catch(() => null);
  return mod ? new mod.FrameHold(maxBytes, standing) : null;
}

/** Size of the encoded picks: the upright picture, scaled down to `maxWidth` if given. */
export function pictureSize(view, maxWidth) {
  const scale = maxWidth > 0 ? Math.min(1, maxWidth / view.width) : 1;
  return { width: Math.max(1, Math.round(view.width * scale)), height: Math.max(1, Math.round(view.height * scale)) };
}

export async function encodePicks(id, demuxer, track, config, view, candidates, options, progress, hold = null) {
  const none = { blobs: [], framesDecoded: 0, framesSkipped: 0, warnings: [], cost: null, fromHold: 0 };
  if (candidates.length === 0) return none;
  const type = options.format === 'webp' ? 'image/webp' : 'image/jpeg';
  const quality = options.quality ?? 0.9;
  const { width, height } = pictureSize(view, options.maxWidth);
  const pending = new Map();
  // Images of the crops asked for (`crops` option), cut from the same full-size frame.
  let cropError = null;
  const crops = options.crops ? await import('../encode-crops.js').catch((e) => { cropError = e; return null; }) : null;
  const cropping = new Map();
  // With `lowMemory` (the default) each pick goes frame → copyTo RGBA → a full-size
  // canvas (putImageData) → the output canvas, one pick after the other: drawing the
  // VideoFrame itself makes Chromium keep a full-size conversion of it, and ten 1080p
  // picks encoded at once held ~150 MiB. Where copyTo cannot convert, frames are drawn.
  let copyRgba = options.lowMemory !== false;
  let chain = Promise.resolve();
  let source = null;
  const copier = frameCopier((n) => new Uint8ClampedArray(n));
  const encodeOne = async (frame) => {
    const ts = frame.timestamp;
    // One pick at a time from the copy on: picks that arrive together (the held ones, or
    // frames close in one GOP) would each take a full-size RGBA buffer at once, 33 MB
    // apiece at 4K. The picks are few, so a frame waiting open does not stall the decoder.
    const previous = chain;
    let done;
    chain = new Promise((resolve) => { done = resolve; });
    await previous;
    try {
      let copied = false;
      if (copyRgba) {
        const { width: w, height: h } = frame.visibleRect;
        if (source?.width !== w || source?.height !== h) source = new OffscreenCanvas(w, h);
        copied = await drawRgba(frame, source.getContext('2d'), copier).then(() => true, () => { copyRgba = false; return false; });
      }
      if (copied) frame.close();
      const picture = copied ? source : frame;
      const same = picture === source && !view.rotation && width === source.width && height === source.height;
      const canvas = same ? source : new OffscreenCanvas(width, height);
      if (!same) drawOriented(canvas.getContext('2d'), picture, width, height, view.rotation);
      const pick = crops && candidates.find((c) => c.ptsUs === ts);
      if (pick) {
        cropping.set(ts, crops.cropBlobs((ctx, w, h) => drawOriented(ctx, picture, w, h, view.rotation),
          view, pick.crops, { type, quality, maxWidth: options.maxWidth }));
      }
      if (!copied) frame.close();
      // Awaited before the next pick is drawn: `source` is reused.
      return await canvas.convertToBlob({ type, quality });
    } finally {
      done();
    }
  };
  const encode = (frame) => {
    pending.set(frame.timestamp, encodeOne(frame).catch((e) => {
      frame.close();
      throw e;
    }));
  };
  // Picks held at full size while they were decoded need no second decode.
  // One at a time: each taken copy becomes a full-size VideoFrame and leaves the hold
  // (its buffer can go) before the next is taken.
  let fromHold = 0;
  for (const c of candidates) {
    const frame = await hold?.take(c.ptsUs);
    if (!frame) continue;
    encode(frame);
    fromHold++;
    await pending.get(c.ptsUs).catch(() => {});
  }
  hold?.clear();
  const rest = candidates.filter((c) => !pending.has(c.ptsUs));
  let decoded = { ...none };
  let cost = null;
  if (rest.length) {
    const plan = demuxer.planTimes(rest.map((c) => c.ptsUs));
    cost = plan.cost;
    decoded = await decodeTargets(id, demuxer, track, picksDecoderConfig(config, track), plan, encode,
      (f) => progress('encode', f * 0.5));
  }
  // Candidate times are sample times (they came from decoded frames), so they match.
  const blobs = await Promise.all(candidates.map((c) => pending.get(c.ptsUs)));
  for (const c of candidates) {
    if (cropping.has(c.ptsUs)) c.crops = crops.withCropBlobs(c.crops, await cropping.get(c.ptsUs));
  }
  const warnings = [...decoded.warnings];
  if (cropError) warnings.push(`crop images skipped: encode-crops.js not loaded beside worker.js (${cropError.message})`);
  progress('encode', 1);
  return { blobs, framesDecoded: decoded.framesDecoded, framesSkipped: decoded.framesSkipped,
    warnings, cost, fromHold };
}
