// framepick with Vite: cross-origin isolation headers and one small plugin.
import { defineConfig } from 'vite';
import { createReadStream, realpathSync, statSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, sep } from 'node:path';

// Cross-origin isolation lets framepick run its multi-threaded wasm build
// (without these headers it falls back to one thread by itself).
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * framepick's worker loads its wasm builds and models at run time from `pkg/`
 * beside worker.js, by URLs that Vite must not rewrite.
 * - `vite build` copies worker.js as an asset (it sees `new URL('./worker.js',
 *   import.meta.url)` in framepick.js) but not what the worker imports, which Vite does
 *   not follow inside an asset: this copies the package's www/pkg/, www/worker/ (the
 *   worker's stages, WebGPU code and frame hold) and www/encode-crops.js next to wherever
 *   worker.js landed.
 * - `vite` (dev) would rewrite the worker's `new URL('./pkg/', import.meta.url)`:
 *   this serves the package's www/ files as they are instead.
 */
function framepick() {
  const www = realpathSync(join(dirname(createRequire(import.meta.url).resolve('framepick/package.json')), 'www'));
  const types = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.onnx': 'application/octet-stream' };
  return {
    name: 'framepick',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
        const file = path.startsWith('/@fs/') ? path.slice(4) : join(server.config.root, path);
        let real;
        try { real = realpathSync(file); } catch { return next(); }
        if (!real.startsWith(www + sep) || !statSync(real).isFile()) return next();
        res.writeHead(200, { ...isolation, 'Content-Type': types[extname(real)] || 'application/octet-stream' });
        createReadStream(real).pipe(res);
      });
    },
    async writeBundle(options, bundle) {
      const outDir = options.dir || dirname(options.file);
      const workers = Object.values(bundle).filter((f) => f.type === 'asset' &&
        [...(f.originalFileNames || []), f.originalFileName].some((n) => /framepick\/www\/worker\.js$/.test(n || '')));
      if (workers.length === 0) this.warn('framepick: worker.js was not emitted; is framepick imported?');
      for (const dir of new Set(workers.map((w) => dirname(join(outDir, w.fileName))))) {
        // worker.js imports worker/ as it loads; worker/gpu.js (WebGPU) and encode-crops.js
        // only when a pick asks for them.
        for (const d of ['pkg', 'worker']) await cp(join(www, d), join(dir, d), { recursive: true });
        await cp(join(www, 'encode-crops.js'), join(dir, 'encode-crops.js'));
      }
    },
  };
}

export default defineConfig({
  // Keep framepick's files where they are (no pre-bundling), so worker.js and pkg/
  // stay beside framepick.js in dev.
  optimizeDeps: { exclude: ['framepick'] },
  server: { headers: isolation },
  preview: { headers: isolation },
  plugins: [framepick()],
});
