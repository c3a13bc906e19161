// Audio: loudness around the coarse samples, for the importance segments.
import { checkAbort } from './common.js';
import { MAX_QUEUED_CHUNKS, drained } from './decode.js';

/**
 * Loudness for importance segments: decode only the audio around the coarse samples
 * (WebCodecs AudioDecoder) and hand the first channel to wasm. Optional: a file with no
 * (AAC) audio, a browser without AudioDecoder or `audio: false` just goes without, and
 * `report.audio` says why.
 */
export async function measureAudio(id, demuxer, analysis, options) {
  if (options.audio === false) return { used: false, reason: 'disabled by the caller (audio: false)' };
  if (typeof AudioDecoder !== 'function') return { used: false, reason: 'this browser has no WebCodecs AudioDecoder' };
  const track = demuxer.audioTrack();
  if (track.reason) return { used: false, reason: track.reason };
  const config = { codec: track.codec, sampleRate: track.sampleRate, numberOfChannels: track.channels,
    description: demuxer.audioDescription() };
  const support = await AudioDecoder.isConfigSupported(config).catch(() => ({ supported: false }));
  if (!support.supported) return { used: false, codec: track.codec, reason: `the browser cannot decode ${track.codec} audio` };
  const runs = demuxer.planAudio(analysis.sampledPts());
  let failed = null;
  let blocks = 0;
  // Chromium stamps decoded audio as one continuous stream from the first chunk,
  // whatever the gaps between runs: each run is flushed and timed from its own start.
  const run = { startUs: 0, frames: 0 };
  const decoder = new AudioDecoder({
    output: (data) => {
      try {
        const pcm = new Float32Array(data.numberOfFrames);
        data.copyTo(pcm, { planeIndex: 0, format: 'f32-planar' });
        analysis.pushAudio(run.startUs + (run.frames * 1e6) / data.sampleRate, data.sampleRate, pcm);
        run.frames += data.numberOfFrames;
        blocks++;
      } catch (e) {
        failed ??= e;
      } finally {
        data.close();
      }
    },
    error: (e) => { failed ??= e; },
  });
  try {
    decoder.configure(config);
    for (const { first, last } of runs) {
      checkAbort(id);
      const { bytes, offsets, samples } = demuxer.readAudio(first, last);
      Object.assign(run, { startUs: samples[0].ptsUs, frames: 0 });
      for (const [k, s] of samples.entries()) {
        if (failed) break;
        decoder.decode(new EncodedAudioChunk({ type: 'key', timestamp: s.ptsUs, duration: s.durationUs,
          data: bytes.subarray(offsets[k], offsets[k] + s.size) }));
        if (decoder.decodeQueueSize > MAX_QUEUED_CHUNKS) await drained(decoder);
      }
      await decoder.flush();
    }
  } catch (e) {
    failed ??= e;
  } finally {
    if (decoder.state !== 'closed') decoder.close();
  }
  if (failed?.code === 'ABORTED') throw failed;
  return { used: blocks > 0 && !failed, codec: track.codec, sampleRate: track.sampleRate,
    channels: track.channels, runs: runs.length, blocksDecoded: blocks,
    ...(failed ? { reason: `audio decoding failed: ${failed.message}` } : {}) };
}
