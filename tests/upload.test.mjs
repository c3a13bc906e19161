// The uploader (www/upload.js) against a real local HTTP server that injects
// failures. Run: node --test tests/upload.test.mjs
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { uploadCandidates, UploadError } from '../www/upload.js';
import { startUploadServer } from './upload-server.mjs';

const ASTRONAUT = readFileSync(new URL('./fixtures/astronaut.jpg', import.meta.url));
const COFFEE = readFileSync(new URL('./fixtures/coffee.jpg', import.meta.url));
const FAST = { baseDelayMs: 20, maxDelayMs: 200 };

/** Picks shaped like FramePicker.pick() candidates, with real JPEG bytes. */
function makeCandidates(n) {
  return Array.from({ length: n }, (_, i) => {
    const bytes = i % 2 ? COFFEE : ASTRONAUT;
    return {
      time: 1.25 * (i + 1), ptsUs: 1_250_000 * (i + 1), score: 0.9 - i / 10,
      scores: { quality: 0.8, faces: 0.5 }, width: 640, height: 360,
      faces: [{ x: 10, y: 20, width: 30, height: 40, score: 0.99, landmarks: [] }],
      blob: new Blob([bytes], { type: 'image/jpeg' }), bytes,
    };
  });
}

const metadataOf = (r) => JSON.parse(r.parts.find((p) => p.name === 'metadata').value);
const byKey = (requests) => {
  const groups = new Map();
  for (const r of requests) {
    const key = r.headers['idempotency-key'];
    groups.set(key, [...(groups.get(key) || []), r]);
  }
  return groups;
};
const sizeOf = (candidates) => candidates.reduce((a, c) => a + c.blob.size, 0);
const until = async (cond, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
};

let server;
beforeEach(async () => { server = await startUploadServer(); });
afterEach(async () => { await server.close(); });

test('every pick arrives exactly once after 500, 429 and a dropped connection', async () => {
  const candidates = makeCandidates(3);
  server.plan([{ status: 500 }, { status: 429 }, { drop: true }]);
  const results = await uploadCandidates(candidates, { url: `${server.url}/api/thumbnails`, ...FAST });

  assert.equal(server.requests.length, 6);
  const groups = byKey(server.requests);
  assert.equal(groups.size, 3, 'one Idempotency-Key per pick');
  const stored = new Map();
  for (const [key, reqs] of groups) {
    assert.match(key, /^[0-9a-f-]{36}$/);
    const indexes = new Set(reqs.map((r) => metadataOf(r).index));
    assert.equal(indexes.size, 1, 'a key is never reused for another pick');
    const ok = reqs.filter((r) => !r.step.status && !r.step.drop);
    assert.equal(ok.length, 1, 'each key was stored once');
    stored.set([...indexes][0], key);
  }
  assert.deepEqual([...stored.keys()].sort(), [0, 1, 2]);
  assert.ok([...groups.values()].some((reqs) => reqs.length > 1), 'the server saw retries of one key');

  assert.deepEqual(results.map((r) => r.index), [0, 1, 2]);
  assert.equal(results.reduce((a, r) => a + r.attempts, 0), 6);
  for (const r of results) {
    assert.equal(r.status, 201);
    assert.equal(r.response.ok, true);
    assert.equal(r.response.key, stored.get(r.index));
  }
});

test('Retry-After in seconds is honoured', async () => {
  server.plan([{ status: 503, retryAfter: 1 }]);
  const [result] = await uploadCandidates(makeCandidates(1),
    { url: server.url, baseDelayMs: 20, maxDelayMs: 5000 });
  assert.equal(result.attempts, 2);
  const gap = server.requests[1].receivedAt - server.requests[0].receivedAt;
  assert.ok(gap >= 990, `waited ${gap.toFixed(0)} ms, the server asked for 1000`);
  assert.ok(gap < 2000, `waited ${gap.toFixed(0)} ms, far past the hint`);
});

test('Retry-After as an HTTP date is honoured', async () => {
  // HTTP dates have 1 s resolution: "now + 2 s" means a wait of 1–2 s.
  server.plan([{ status: 429, retryAfter: new Date(Date.now() + 2000).toUTCString() }]);
  const [result] = await uploadCandidates(makeCandidates(1),
    { url: server.url, baseDelayMs: 20, maxDelayMs: 5000 });
  assert.equal(result.attempts, 2);
  const gap = server.requests[1].receivedAt - server.requests[0].receivedAt;
  assert.ok(gap >= 900 && gap < 2100, `waited ${gap.toFixed(0)} ms`);
});

test('Retry-After is capped at maxDelayMs', async () => {
  server.plan([{ status: 503, retryAfter: 30 }]);
  const [result] = await uploadCandidates(makeCandidates(1),
    { url: server.url, baseDelayMs: 20, maxDelayMs: 300 });
  assert.equal(result.attempts, 2);
  const gap = server.requests[1].receivedAt - server.requests[0].receivedAt;
  assert.ok(gap >= 290 && gap < 1000, `a 30 s hint capped at 300 ms: waited ${gap.toFixed(0)} ms`);
});

for (const status of [400, 403]) {
  test(`no retry on ${status}: one request, rejects with the status`, async () => {
    server.plan([{ status, body: JSON.stringify({ error: 'nope' }), contentType: 'application/json' }]);
    const err = await uploadCandidates(makeCandidates(3), { url: server.url, concurrency: 1, ...FAST })
      .catch((e) => e);
    assert.ok(err instanceof UploadError);
    assert.equal(err.code, 'UPLOAD_FAILED');
    assert.equal(err.status, status);
    assert.equal(err.attempts, 1);
    assert.equal(err.candidateIndex, 0);
    assert.deepEqual(err.response, { error: 'nope' });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(server.requests.length, 1, 'the other picks were not sent either');
  });
}

test('retries give up after `retries`, with the last status', async () => {
  server.plan(Array(10).fill({ status: 502 }));
  const err = await uploadCandidates(makeCandidates(1), { url: server.url, retries: 2, ...FAST })
    .catch((e) => e);
  assert.equal(err.code, 'UPLOAD_FAILED');
  assert.equal(err.status, 502);
  assert.equal(err.attempts, 3);
  assert.equal(server.requests.length, 3);
});

test('only the picks are sent: one request per pick, bytes ≈ the picks', async () => {
  const candidates = makeCandidates(4);
  await uploadCandidates(candidates, { url: `${server.url}/api/thumbnails`, ...FAST });
  assert.equal(server.requests.length, 4);
  for (const r of server.requests) {
    assert.equal(r.method, 'POST');
    assert.equal(r.url, '/api/thumbnails');
  }
  const received = server.requests.reduce((a, r) => a + r.body.length, 0);
  const picks = sizeOf(candidates);
  assert.ok(received >= picks, 'all image bytes arrived');
  assert.ok(received - picks < 4 * 2048, `only multipart framing and metadata on top: +${received - picks} B`);
});

test('multipart carries metadata JSON and the intact JPEG', async () => {
  const candidates = makeCandidates(2);
  await uploadCandidates(candidates, { url: server.url, fieldName: 'thumbnail',
    headers: { Authorization: 'Bearer t0ken' }, ...FAST });
  for (const r of server.requests) {
    assert.match(r.headers['content-type'], /^multipart\/form-data; boundary=/);
    assert.equal(r.headers.authorization, 'Bearer t0ken');
    assert.deepEqual(r.parts.map((p) => p.name), ['metadata', 'thumbnail']);
    const meta = metadataOf(r);
    const c = candidates[meta.index];
    assert.deepEqual(meta, { index: meta.index, time: c.time, score: c.score, scores: c.scores,
      width: 640, height: 360, faces: c.faces });
    const file = r.parts[1];
    assert.equal(file.filename, `pick-${meta.index}-${c.time}s.jpg`);
    assert.equal(file.type, 'image/jpeg');
    assert.ok(file.data.equals(c.bytes), 'JPEG bytes intact');
  }
});

test('presigned URLs get a PUT of the raw bytes with Content-Type image/jpeg', async () => {
  const candidates = makeCandidates(3);
  const presignedUrls = candidates.map((_, i) =>
    `${server.url}/bucket/pick-${i}.jpg?X-Amz-Signature=abc${i}&X-Amz-Expires=300`);
  const results = await uploadCandidates(candidates, { presignedUrls, ...FAST });
  assert.equal(server.requests.length, 3);
  for (const r of server.requests) {
    const i = Number(/pick-(\d)/.exec(r.url)[1]);
    assert.equal(r.method, 'PUT');
    assert.equal(r.url, `/bucket/pick-${i}.jpg?X-Amz-Signature=abc${i}&X-Amz-Expires=300`);
    assert.equal(r.headers['content-type'], 'image/jpeg');
    assert.equal(Number(r.headers['content-length']), candidates[i].blob.size);
    assert.ok(r.body.equals(candidates[i].bytes), 'raw JPEG bytes, no multipart');
    assert.equal(r.parts, null);
  }
  assert.deepEqual(results.map((r) => r.status), [201, 201, 201]);
});

test('a text reply is returned as text', async () => {
  server.plan([{ status: 200, body: 'stored', contentType: 'text/plain' }]);
  const [r] = await uploadCandidates(makeCandidates(1), { url: server.url, ...FAST });
  assert.deepEqual(r, { index: 0, status: 200, attempts: 1, response: 'stored' });
});

for (const concurrency of [1, 2, 3]) {
  test(`at most ${concurrency} request(s) in flight`, async () => {
    server.plan(Array(6).fill({ delayMs: 120 }));
    await uploadCandidates(makeCandidates(6), { url: server.url, concurrency, ...FAST });
    assert.equal(server.requests.length, 6);
    assert.equal(server.stats.maxInFlight, concurrency);
  });
}

test('abort during a slow response: rejects at once, nothing more is sent', async () => {
  server.plan([{ delayMs: 3000 }, { delayMs: 3000 }]);
  const controller = new AbortController();
  const started = performance.now();
  const promise = uploadCandidates(makeCandidates(5),
    { url: server.url, concurrency: 2, signal: controller.signal, ...FAST });
  await until(() => server.requests.length === 2);
  controller.abort();
  const err = await promise.catch((e) => e);
  assert.ok(err instanceof UploadError);
  assert.equal(err.code, 'ABORTED');
  assert.ok(performance.now() - started < 1000, 'did not wait for the slow response');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(server.requests.length, 2, 'no request after the abort');
  assert.equal(server.stats.inFlight, 0, 'the in-flight requests were cancelled');
});

test('abort during a backoff sleep ends it at once', async () => {
  server.plan([{ status: 503, retryAfter: 5 }]);
  const controller = new AbortController();
  const promise = uploadCandidates(makeCandidates(1),
    { url: server.url, signal: controller.signal, baseDelayMs: 20, maxDelayMs: 5000 });
  await until(() => server.requests.length === 1);
  await new Promise((r) => setTimeout(r, 50));
  const t0 = performance.now();
  controller.abort();
  const err = await promise.catch((e) => e);
  assert.equal(err.code, 'ABORTED');
  assert.ok(performance.now() - t0 < 100);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(server.requests.length, 1);
});

test('an already-aborted signal sends nothing', async () => {
  const err = await uploadCandidates(makeCandidates(2), { url: server.url, signal: AbortSignal.abort() })
    .catch((e) => e);
  assert.equal(err.code, 'ABORTED');
  assert.equal(server.requests.length, 0);
});

test('progress is monotonic and ends at the total', async () => {
  const candidates = makeCandidates(4);
  const events = [];
  server.plan([{ status: 500 }, { delayMs: 50 }, { drop: true }]);
  await uploadCandidates(candidates, { url: server.url, concurrency: 2,
    onProgress: (p) => events.push(p), ...FAST });
  const total = sizeOf(candidates);
  for (let i = 1; i < events.length; i++) assert.ok(events[i].loaded >= events[i - 1].loaded);
  assert.ok(events.every((e) => e.total === total && e.loaded <= total));
  assert.equal(events.at(-1).loaded, total);
  for (let i = 0; i < 4; i++) {
    const mine = events.filter((e) => e.file === i);
    assert.deepEqual(mine.map((e) => [e.fileLoaded, e.done]), [[0, false], [candidates[i].blob.size, true]]);
    assert.ok(mine.every((e) => e.fileTotal === candidates[i].blob.size));
  }
});

test('invalid arguments are refused before any request', async () => {
  const candidates = makeCandidates(2);
  const cases = [
    [candidates, {}],
    [candidates, { url: server.url, presignedUrls: [server.url, server.url] }],
    [candidates, { presignedUrls: [server.url] }],
    [[...candidates, { time: 3, score: 0.1 }], { url: server.url }],
    ['not an array', { url: server.url }],
  ];
  for (const [c, o] of cases) {
    const err = await uploadCandidates(c, o).catch((e) => e);
    assert.ok(err instanceof UploadError, String(err));
    assert.equal(err.code, 'INVALID_ARGUMENT');
  }
  assert.equal(server.requests.length, 0);
  assert.deepEqual(await uploadCandidates([], { url: server.url }), []);
});
