// Loudness for importance segments: the AAC track of an MP4 is demuxed in Rust, only the
// audio around the coarse samples is decoded by WebCodecs' AudioDecoder in headless
// Chromium, and its level reaches the segment scoring (report.audio, report.audioWindows).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDemoPage, ROOT } from './demo-page.mjs';

const DIR = mkdtempSync(join(tmpdir(), 'framepick-audio-'));
const COFFEE = join(ROOT, 'tests/fixtures/coffee.jpg');

/** 20 s of the coffee photo panning, silent for 10 s, then a loud tone; AAC or none. */
function video(name, audio) {
  const out = join(DIR, name);
  const picture = ['-loop', '1', '-framerate', '30', '-t', '20', '-i', COFFEE];
  const sound = audio ? ['-f', 'lavfi', '-i', "aevalsrc='if(gt(t,10),0.8*sin(2*PI*440*t),0)':s=44100:c=stereo"] : [];
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...picture, ...sound, '-t', '20',
    '-vf', "scale=1280:854,crop=1280:720:0:'min(134,7*t)',noise=alls=4:allf=t",
    '-c:v', 'libx264', '-preset', 'veryfast', '-g', '60', '-pix_fmt', 'yuv420p',
    ...(audio ? ['-c:a', 'aac', '-b:a', '96k'] : ['-an']), out], { stdio: 'pipe' });
  return out;
}

let page;
let closeDemo;

before(async () => {
  ({ page, close: closeDemo } = await openDemoPage());
});

after(() => closeDemo?.());

async function pick(file, options) {
  await page.setInputFiles('#file', file);
  return page.evaluate(async (o) => {
    try {
      const r = await window.picker.pick(document.getElementById('file').files[0], o);
      return { report: r.report };
    } catch (e) {
      return { error: { code: e.code, message: e.message } };
    }
  }, options);
}

test('AAC audio around every coarse sample is decoded and measured', async () => {
  const { report, error } = await pick(video('loud.mp4', true), { top: 3 });
  assert.equal(error, undefined, JSON.stringify(error));
  assert.equal(report.audio.used, true, JSON.stringify(report.audio));
  assert.equal(report.audio.codec, 'mp4a.40.2');
  assert.equal(report.audio.sampleRate, 44100);
  assert.ok(report.audio.blocksDecoded > 0);
  // Only the windows around the samples: far fewer blocks than the 20 s hold (≈ 861).
  assert.ok(report.audio.blocksDecoded < 600, `${report.audio.blocksDecoded} blocks`);
  assert.equal(report.audioWindows, report.framesCoarse, JSON.stringify(report));
});

test('a file without sound, and audio: false, go without and say why', async () => {
  const silent = await pick(video('silent.mp4', false), { top: 3 });
  assert.equal(silent.error, undefined, JSON.stringify(silent.error));
  assert.equal(silent.report.audio.used, false);
  assert.match(silent.report.audio.reason, /no audio track/);
  assert.equal(silent.report.audioWindows, 0);
  const off = await pick(join(DIR, 'loud.mp4'), { top: 3, audio: false });
  assert.equal(off.report.audio.used, false);
  assert.match(off.report.audio.reason, /disabled/);
  assert.equal(off.report.audioWindows, 0);
});
