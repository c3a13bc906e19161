// The evaluation's judge (bench/eval/measures.mjs): a pick is judged by the frame shown.
import test from 'node:test';
import assert from 'node:assert/strict';
import { intervalAt, measure } from '../bench/eval/measures.mjs';

// 1 s of photo A, a 20-frame crossfade A → B, 1 s of B, at 20 fps.
const truth = {
  fps: 20, frames: 60, duration: 3,
  intervals: [
    { start: 0, end: 1, startFrame: 0, endFrame: 20, label: 'good', severity: null, shot: 'a/fit', photo: 'a', face: false, faces: 0 },
    { start: 1, end: 2, startFrame: 20, endFrame: 40, label: 'xfade', severity: 'long', shot: null, photo: null, from: 'a', to: 'b', face: false, faces: 0 },
    { start: 2, end: 3, startFrame: 40, endFrame: 60, label: 'good', severity: null, shot: 'b/fit', photo: 'b', face: false, faces: 0 },
  ],
};

test('a crossfade frame with under 5 % of the other picture is judged as the shot it shows', () => {
  assert.equal(intervalAt(truth, 1.0).shot, 'a/fit'); // weight 0: photo A itself
  assert.equal(intervalAt(truth, 1.05).label, 'xfade'); // weight 0.05: visible
  assert.equal(intervalAt(truth, 1.5).label, 'xfade');
  assert.equal(intervalAt(truth, 1.95).label, 'xfade'); // weight 0.95: 5 % of A still shows
  const m = measure(truth, [1.0, 1.5, 2.5], { asked: 3 });
  assert.equal(m.spoiled, 1);
  assert.deepEqual(m.spoiledAs, ['xfade:long']);
});

test('the rule needs the neighbour to be the crossfade\'s own side', () => {
  const cut = structuredClone(truth);
  cut.intervals[0].photo = 'c'; // the shot before is another photo: no continuation
  assert.equal(intervalAt(cut, 1.0).label, 'xfade');
});

test('the last frames of a long crossfade are judged as the incoming shot', () => {
  // 60 frames of crossfade at 20 fps: frames 58 and 59 carry under 5 % of A.
  const long = structuredClone(truth);
  long.frames = 100;
  long.intervals[1].endFrame = 80; long.intervals[1].end = 4;
  Object.assign(long.intervals[2], { start: 4, end: 5, startFrame: 80, endFrame: 100 });
  assert.equal(intervalAt(long, 3.85).label, 'xfade'); // frame 77: weight 57/60 = 0.95
  assert.equal(intervalAt(long, 3.9).shot, 'b/fit'); // frame 78: weight 58/60
  assert.equal(intervalAt(long, 3.95).shot, 'b/fit'); // frame 79: weight 59/60
});
