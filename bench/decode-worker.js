// Decode benchmark (issue 3) in a module Worker, as the pick worker decodes: the wasm
// Demuxer (threads build) reads the File in slices and plans the samples, WebCodecs
// decodes them, and each target frame is read back one of three ways:
//   canvas      drawImage into a ≤320-px OffscreenCanvas + getImageData (what framepick does)
//   copyTo      VideoFrame.copyTo, full frame in its native format (I420 here)
//   copyToRGBA  VideoFrame.copyTo with {format: 'RGBA'}: the browser converts, full frame
// Non-target frames are closed as they come out; targets once read back.
import init, { Demuxer } from '/pkg/threads/framepick.js';

const MAX_QUEUED_CHUNKS = 12; // as www/worker.js: bounded decode queue
const READ_BATCH = 64; // samples per Blob range read: ≈ 2 s of 30 fps video
const LONG_SIDE = 320;
// The Demuxer needs no rayon pool, so the thread pool is not started.
const ready = init();

self.onmessage = async ({ data }) => {
  try {
    await ready;
    self.postMessage(await measure(data));
  } catch (e) {
    // copyTo with a format this Chromium cannot convert to rejects with NotSupportedError.
    self.postMessage({ error: String(e?.message || e), unsupported: e?.name === 'NotSupportedError' });
  }
};

/** Readers: (frame) → promise of the bytes read back; each closes its frame. */
const readers = {
  canvas(track) {
    const [w, h] = canvasSize(track);
    const ctx = new OffscreenCanvas(w, h).getContext('2d', { willReadFrequently: true });
    return async (frame) => {
      ctx.drawImage(frame, 0, 0, w, h);
      frame.close();
      return ctx.getImageData(0, 0, w, h).data.length;
    };
  },
  copyTo: () => copier(undefined),
  copyToRGBA: () => copier({ format: 'RGBA' }),
};

/** The small analysis picture: LONG_SIDE px on the long side, as framepick's default. */
function canvasSize({ displayWidth: w, displayHeight: h }) {
  const k = LONG_SIDE / Math.max(w, h);
  return [Math.round(w * k), Math.round(h * k)];
}

/** copyTo into buffers from a free list (copies overlap, so one buffer is not enough). */
function copier(options) {
  const free = [];
  return async (frame) => {
    try {
      const size = frame.allocationSize(options);
      const buf = free.length && free.at(-1).length === size ? free.pop() : new Uint8Array(size);
      await frame.copyTo(buf, options);
      free.push(buf);
      return size;
    } finally {
      frame.close();
    }
  };
}

/** Decode the targets of `mode` ('keyframes' | '1fps') from `file`, reading each back. */
async function measure({ file, mode, readback }) {
  const t0 = performance.now();
  const demuxer = Demuxer.open(file);
  let decoder = null;
  try {
    const track = demuxer.track();
    // keyframes: every keyframe (no minimum gap, no grid fill), each a one-sample run;
    // 1fps: the sample nearest each second, decoded from its preceding keyframe.
    const plan = mode === 'keyframes' ? demuxer.planCoarse(0, 1e9) : demuxer.planGrid(1);
    const demuxMs = performance.now() - t0;
    const read = readers[readback](track);
    const wanted = new Set(plan.targets.map((i) => track.samples[i].ptsUs));
    const reads = [];
    let framesDecoded = 0; let format = null; let failure = null;
    decoder = new VideoDecoder({
      output: (frame) => {
        framesDecoded++;
        if (!wanted.delete(frame.timestamp)) return frame.close();
        format ??= frame.format;
        reads.push(read(frame));
      },
      error: (e) => { failure = e; },
    });
    decoder.configure({ codec: track.codec, codedWidth: track.codedWidth, codedHeight: track.codedHeight,
      // As the pipeline configures it (www/worker/decode.js): frame threads in Chromium's software decoder.
      description: demuxer.description(), optimizeForLatency: false });
    let chunks = 0;
    // One range read per READ_BATCH samples of a run (merged runs can span many GOPs).
    for (const run of plan.runs) {
      for (let first = run.first; first <= run.last; first += READ_BATCH) {
        const last = Math.min(run.last, first + READ_BATCH - 1);
        const { bytes, offsets } = demuxer.readSamples(first, last);
        for (let i = first; i <= last; i++) {
          const s = track.samples[i]; const off = offsets[i - first];
          decoder.decode(new EncodedVideoChunk({ type: s.keyframe ? 'key' : 'delta', timestamp: s.ptsUs,
            duration: s.durationUs, data: bytes.subarray(off, off + s.size) }));
          chunks++;
          if (decoder.decodeQueueSize > MAX_QUEUED_CHUNKS) await dequeued(decoder);
        }
        if (failure) throw failure;
      }
    }
    await decoder.flush();
    const sizes = await Promise.all(reads);
    const wallMs = performance.now() - t0;
    return { mode, readback, wallMs, demuxMs, chunks, framesDecoded, targets: plan.targets.length,
      readBack: sizes.length, bytesPerRead: sizes[0] ?? 0, format, missing: wanted.size,
      codec: track.codec, width: track.displayWidth, height: track.displayHeight, canvas: canvasSize(track) };
  } finally {
    if (decoder && decoder.state !== 'closed') decoder.close();
    demuxer.free();
  }
}

function dequeued(decoder) {
  return new Promise((ok) => decoder.addEventListener('dequeue', ok, { once: true }));
}
