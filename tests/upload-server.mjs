// A real HTTP endpoint for the uploader tests: records every request and
// answers each one by a script, so tests can inject failures.
//
//   const server = await startUploadServer();
//   server.plan([{ status: 500 }, { status: 429, retryAfter: 1 }, { drop: true },
//                { delayMs: 2000 }, 'ok']);   // one step per request, in arrival order
//
// A step is 'ok' or { status?, retryAfter?, delayMs?, drop?, body?, contentType? }:
//   status      answer with it (default 201 with JSON { ok: true, id, key })
//   retryAfter  Retry-After header, seconds (number) or an HTTP date (string)
//   delayMs     wait before answering (the request counts as in flight meanwhile)
//   drop        destroy the socket instead of answering (a lost connection)
//   body, contentType  the answer's body (string) and type (default text/plain)
// Once the script is used up every request gets the default answer.
// With { cors: true } it also answers browser preflights (OPTIONS, recorded in
// `preflights`, not in `requests`) so a page on another origin can upload to it.
import { createServer } from 'node:http';

/**
 * @param {{cors?: boolean}} [options]
 * @returns {Promise<{url: string, requests: Array<object>, preflights: Array<object>,
 *   plan: (steps: Array<object|string>) => void,
 *   stats: {inFlight: number, maxInFlight: number}, close: () => Promise<void>}>}
 */
export async function startUploadServer({ cors = false } = {}) {
  const requests = [];
  const preflights = [];
  const stats = { inFlight: 0, maxInFlight: 0 };
  const timers = new Set();
  const idsByKey = new Map(); // a real idempotent endpoint answers a repeated key with the same id
  let script = [];

  const server = createServer(async (req, res) => {
    if (cors) {
      res.setHeader('Access-Control-Allow-Origin', req.headers.origin || '*');
      res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
      if (req.method === 'OPTIONS') return preflight(req, res, preflights);
    }
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    res.on('close', () => stats.inFlight--);
    const step = normalizeStep(script.shift());
    const body = await readBody(req).catch(() => null);
    if (body === null) return; // the client went away mid-body
    const record = {
      method: req.method, url: req.url, headers: req.headers, body,
      receivedAt: performance.now(), step, parts: null,
    };
    record.parts = await parseMultipart(body, req.headers['content-type']);
    requests.push(record);
    if (step.delayMs) await wait(step.delayMs, timers);
    if (res.destroyed) return; // the client aborted while we waited
    if (step.drop) return req.socket.destroy();
    answer(res, step, record, idsByKey);
  });

  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    preflights,
    stats,
    plan(steps) {
      script = [...steps];
    },
    close() {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Allow whatever the browser asks for, and record what it asked. */
function preflight(req, res, preflights) {
  preflights.push({ url: req.url, method: req.headers['access-control-request-method'],
    headers: req.headers['access-control-request-headers'] || '' });
  res.writeHead(204, {
    'Access-Control-Allow-Methods': 'POST, PUT',
    'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] || '',
    'Access-Control-Max-Age': '0',
  });
  res.end();
}

function normalizeStep(step) {
  if (step === undefined || step === 'ok') return {};
  if (typeof step === 'string') throw new Error(`unknown plan step ${step}`);
  return step;
}

function answer(res, step, record, idsByKey) {
  const headers = {};
  if (step.retryAfter !== undefined) headers['Retry-After'] = String(step.retryAfter);
  if (step.status !== undefined || step.body !== undefined) {
    headers['Content-Type'] = step.contentType || 'text/plain';
    res.writeHead(step.status ?? 200, headers);
    return res.end(step.body ?? '');
  }
  const key = record.headers['idempotency-key'];
  if (!idsByKey.has(key)) idsByKey.set(key, idsByKey.size + 1);
  headers['Content-Type'] = 'application/json';
  res.writeHead(201, headers);
  res.end(JSON.stringify({ ok: true, id: idsByKey.get(key), key }));
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Multipart bodies → [{ name, value } | { name, filename, type, data: Buffer }],
 *  using the WHATWG Response.formData() parser that Node ships with fetch. */
async function parseMultipart(body, contentType) {
  if (!/^multipart\/form-data/i.test(contentType || '')) return null;
  const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  const parts = [];
  for (const [name, value] of form) {
    if (typeof value === 'string') parts.push({ name, value });
    else parts.push({ name, filename: value.name, type: value.type,
      data: Buffer.from(await value.arrayBuffer()) });
  }
  return parts;
}

function wait(ms, timers) {
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      timers.delete(t);
      resolve();
    }, ms);
    timers.add(t);
  });
}
