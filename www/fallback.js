// Fallback frame source for browsers (or codecs) without WebCodecs: a <video>
// element seeks to each sample time and a canvas reads the frame back. Same frames
// for the analysis, slower, and on the main thread (a Worker has no <video>), so it
// yields between seeks. The browser's own demuxer is used, so any file the browser
// can play works here, even containers framepick cannot demux.

const SEEK_TIMEOUT_MS = 10_000;

/** Open `file` in a detached <video>; resolves once metadata is known. */
export async function openVideo(file, signal) {
  const video = document.createElement('video');
  video.muted = true;
  video.preload = 'auto';
  video.playsInline = true;
  const url = URL.createObjectURL(file);
  video.src = url;
  const close = () => { video.removeAttribute('src'); video.load(); URL.revokeObjectURL(url); };
  try {
    await once(video, 'loadedmetadata', signal);
  } catch (e) {
    close();
    throw e;
  }
  if (!video.videoWidth || !Number.isFinite(video.duration)) {
    close();
    throw Object.assign(new Error('the browser found no playable video in the file'), { code: 'NO_VIDEO_TRACK' });
  }
  return { video, close };
}

/** Seek and wait until the frame at `time` can be drawn. */
export async function seek(video, time, signal) {
  if (Math.abs(video.currentTime - time) < 1e-6 && video.readyState >= 2) return;
  const seeked = once(video, 'seeked', signal);
  video.currentTime = time;
  await seeked;
}

/** Sample times on a grid, clamped inside the video (the very end often has no frame). */
export function gridTimes(duration, interval) {
  const times = [];
  for (let t = 0; t < duration - 0.05; t += interval) times.push(t);
  return times.length ? times : [0];
}

function once(target, type, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(Object.assign(
      new Error(`the video element did not answer (${type})`), { code: 'CORRUPT_MEDIA' })), SEEK_TIMEOUT_MS);
    const onEvent = () => finish();
    const onError = () => finish(Object.assign(
      new Error(`the browser could not decode this file: ${target.error?.message || 'media error'}`),
      { code: target.error?.code === 4 ? 'UNSUPPORTED_CODEC' : 'CORRUPT_MEDIA' }));
    const onAbort = () => finish(Object.assign(new Error('the run was cancelled'), { code: 'ABORTED' }));
    function finish(err) {
      clearTimeout(timer);
      target.removeEventListener(type, onEvent);
      target.removeEventListener('error', onError);
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err); else resolve();
    }
    if (signal?.aborted) return onAbort();
    target.addEventListener(type, onEvent);
    target.addEventListener('error', onError);
    signal?.addEventListener('abort', onAbort);
  });
}
