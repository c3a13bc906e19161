// The worker's probe for WebAssembly relaxed SIMD, which the threaded build needs, run in
// two real engines: Node's V8 without relaxed SIMD (Node 20 ships it off, like Safari) and
// with it switched on. Chromium always has it, so the fallback cannot be seen there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { resolve, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const FEATURES = pathToFileURL(resolve(dirname(fileURLToPath(import.meta.url)), '../www/worker/features.js')).href;
const probe = (flags) => execFileSync(process.execPath, [...flags, '--input-type=module', '-e',
  `import { hasRelaxedSimd } from '${FEATURES}'; console.log(hasRelaxedSimd());`]).toString().trim();

test('relaxed SIMD is seen only where the engine has it', () => {
  const [major, minor] = process.versions.v8.split('.').map(Number);
  const shipped = major > 11 || (major === 11 && minor >= 4); // V8 11.4 is Chrome 114
  assert.equal(probe([]), String(shipped), `V8 ${process.versions.v8}`);
  if (!shipped) assert.equal(probe(['--experimental-wasm-relaxed-simd']), 'true');
});
