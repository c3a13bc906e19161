// A small static server for the demo, the tests and the CLI. It sends the
// cross-origin isolation headers that SharedArrayBuffer (and so threads) need.
import { createServer } from 'node:http';
import { createReadStream, promises as fs } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream', '.mp4': 'video/mp4', '.webm': 'video/webm',
  '.jpg': 'image/jpeg', '.png': 'image/png', '.svg': 'image/svg+xml',
};

/**
 * @param {{root?: string, port?: number, host?: string, isolate?: boolean,
 *          extraRoots?: Record<string, string>, headers?: Record<string, string>}} [options]
 *   extraRoots maps a URL prefix (e.g. '/media/') to a directory; headers are added to
 *   every file served (e.g. a Content-Security-Policy).
 */
export async function startServer({ root = fileURLToPath(new URL('.', import.meta.url)),
  port = 0, host = '127.0.0.1', isolate = true, extraRoots = {}, headers: extraHeaders = {} } = {}) {
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://x');
      let base = resolve(root);
      let path = decodeURIComponent(url.pathname);
      for (const [prefix, dir] of Object.entries(extraRoots)) {
        if (path.startsWith(prefix)) { base = resolve(dir); path = path.slice(prefix.length - 1); }
      }
      let file = normalize(join(base, path));
      if (file !== base && !file.startsWith(base + sep)) return send(res, 403, 'forbidden');
      let stat = await fs.stat(file).catch(() => null);
      if (stat?.isDirectory()) { file = join(file, 'index.html'); stat = await fs.stat(file).catch(() => null); }
      if (!stat) return send(res, 404, 'not found');
      // no-cache + ETag: the browser revalidates every file and gets 304 for unchanged ones,
      // so a second visit loads wasm and models from its HTTP cache (and compiled wasm
      // from its code cache) while a rebuilt file is never served stale.
      const etag = `"${stat.size.toString(36)}-${Math.floor(stat.mtimeMs).toString(36)}"`;
      const headers = {
        'Content-Type': TYPES[extname(file)] || 'application/octet-stream',
        'Cache-Control': 'no-cache',
        ETag: etag,
        'Accept-Ranges': 'bytes',
        'Cross-Origin-Resource-Policy': 'same-origin',
        ...extraHeaders,
      };
      if (isolate) {
        headers['Cross-Origin-Opener-Policy'] = 'same-origin';
        headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
      }
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, headers);
        return res.end();
      }
      const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range || '');
      if (range) {
        const start = range[1] ? Number(range[1]) : Math.max(0, stat.size - Number(range[2]));
        const end = range[1] && range[2] ? Math.min(Number(range[2]), stat.size - 1) : stat.size - 1;
        if (start > end || start >= stat.size) return send(res, 416, 'bad range');
        res.writeHead(206, { ...headers, 'Content-Length': end - start + 1,
          'Content-Range': `bytes ${start}-${end}/${stat.size}` });
        return createReadStream(file, { start, end }).pipe(res);
      }
      res.writeHead(200, { ...headers, 'Content-Length': stat.size });
      if (req.method === 'HEAD') return res.end();
      createReadStream(file).pipe(res);
    } catch (e) {
      send(res, 500, String(e));
    }
  });
  // A port in use (another run serving its page there) rejects rather than waiting forever.
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => { server.off('error', fail); ok(); });
  });
  const { port: actual } = server.address();
  return { url: `http://${host}:${actual}/`, server,
    close: () => new Promise((ok) => { server.closeAllConnections?.(); server.close(ok); }) };
}

function send(res, status, text) {
  res.writeHead(status, { 'Content-Type': 'text/plain' });
  res.end(text);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT || 8080);
  const { url } = await startServer({ port });
  console.log(`framepick demo at ${url} (COOP/COEP on, threads available)`);
}
