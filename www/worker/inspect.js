// The `inspect` request (inspectFrames): frames decoded as picks are and measured on
// every path, to compare the paths with each other.
import { wasm } from './init.js';
import { decoderConfig, decodeTargets } from './decode.js';
import { drawOriented, gpuFor, yuvReader } from './measure.js';

/**
 * What the frames shown at `times` (seconds) look like, decoded as picks are: mean
 * colour, and with `metrics` the quick metrics on the CPU path and, where WebGPU
 * runs (`gpu`), on the GPU path and on the GPU's own downscale measured by the CPU.
 */
export async function inspect(id, file, times, { metrics = false, gpu: gpuMode = false, analysisSize = 320 } = {}) {
  const demuxer = wasm.Demuxer.open(file);
  try {
    const track = demuxer.track();
    const config = await decoderConfig(demuxer, track);
    const plan = demuxer.planTimes(times.map((t) => Math.round(t * 1e6)));
    const ctx = new OffscreenCanvas(16, 16).getContext('2d', { willReadFrequently: true });
    const rot = track.rotation || 0;
    const [vw, vh] = rot % 180 ? [track.displayHeight, track.displayWidth] : [track.displayWidth, track.displayHeight];
    const scale = Math.min(1, analysisSize / Math.max(vw, vh));
    const [aw, ah] = [Math.max(1, Math.round(vw * scale)), Math.max(1, Math.round(vh * scale))];
    const actx = new OffscreenCanvas(aw, ah).getContext('2d', { willReadFrequently: true });
    const { gpu, info: gpuInfo } = metrics ? await gpuFor(gpuMode) : { gpu: null, info: null };
    const yuv = yuvReader();
    // The fallback where copyTo cannot convert to RGBA: I420/NV12 converted in wasm.
    const planar = yuvReader({ rgba: false });
    const seen = new Map();
    const pending = [];
    const { framesDecoded, framesSkipped } = await decodeTargets(id, demuxer, track, config, plan, (frame) => {
      ctx.drawImage(frame, 0, 0, 16, 16);
      const d = ctx.getImageData(0, 0, 16, 16).data;
      const rgb = [0, 1, 2].map((c) => {
        let sum = 0;
        for (let i = c; i < d.length; i += 4) sum += d[i];
        return Math.round(sum / (d.length / 4));
      });
      const entry = { rgb };
      seen.set(frame.timestamp, entry);
      if (metrics) {
        drawOriented(actx, frame, aw, ah, rot);
        entry.cpu = wasm.quickMetrics(aw, ah, aw * 4, actx.getImageData(0, 0, aw, ah).data);
        // The same frame as the pick's copyTo paths turn it into the analysis frame:
        // `yuv` as a pick does here (RGBA where the browser converts), `planar` the fallback.
        for (const [reader, key] of [[yuv, 'yuv'], [planar, 'planar']]) {
          if (!reader.takes(frame)) continue;
          const copy = frame.clone();
          pending.push(reader.read(copy).then((pic) => {
            entry[key] = wasm.quickMetricsYuv(pic.format, pic.width, pic.height, pic.data, pic.layout, pic.matrix,
              pic.fullRange, [aw, ah, rot]);
            if (key === 'yuv') entry.copiedAs = pic.format;
            pic.release();
          }).finally(() => copy.close()));
        }
      }
      if (!gpu) return frame.close();
      pending.push(gpu.measure(frame, aw, ah, rot).then(async (r) => {
        try {
          entry.gpu = wasm.quickMetricsFromGpu(aw, ah, r.acc, r.partials);
          entry.gpuPixelsOnCpu = wasm.quickMetrics(aw, ah, r.stride, await r.pixels());
        } finally {
          r.release();
        }
      }));
    }, () => {});
    await Promise.all(pending);
    const frames = plan.targets.map((i) => {
      const s = track.samples[i];
      return { time: s.ptsUs / 1e6, keyframe: s.keyframe, rgb: null, ...seen.get(s.ptsUs) };
    });
    return { frames, framesDecoded, framesSkipped, codec: track.codec, frameRate: track.frameRate,
      samples: track.samples.length, keyframes: track.samples.filter((s) => s.keyframe).length,
      analysisSize: [aw, ah], gpu: gpuInfo };
  } finally {
    demuxer.free();
  }
}
