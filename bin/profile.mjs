// A browser profile the CLI keeps between runs, so that Chromium's code cache holds the
// wasm it compiled last time. Without one, every run starts in a fresh profile and pays
// for compiling the 10 MB module again: its first frames run in V8's baseline tier while
// the optimising tier catches up in the background, on the same two cores as the decoder
// (BENCHMARKS.md, "Compiled-code cache": about 1.5 s of a 2-minute pick).
//
// The cache is keyed by the page's origin, so each profile has a fixed local port. One
// Chromium at a time may own a profile: runs side by side take the next free slot, and
// when every slot is busy (or the cache folder cannot be written) the run falls back to
// a throwaway profile, as before.
//
//   FRAMEPICK_CACHE_DIR=/path   keep the profiles here (default: the user's cache folder)
//   FRAMEPICK_CACHE_DIR=off     never keep one (the same as --no-cache)
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Profiles tried in turn; the n-th serves its page on BASE_PORT + n. */
export const PROFILE_SLOTS = 4;
export const BASE_PORT = 47310;

/** Where this platform keeps per-user caches, with framepick's folder in it; null when off. */
export function cacheDir(env = process.env, platform = process.platform, home = homedir()) {
  const set = env.FRAMEPICK_CACHE_DIR;
  if (set === 'off') return null;
  if (set) return set;
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'framepick', 'Cache');
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'framepick');
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), 'framepick');
}

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM'; // someone else's process: alive
  }
};

/** Take the lock file of one slot: true when this process now owns it. */
function lock(path) {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return true;
    } catch (e) {
      if (e.code !== 'EEXIST') return false;
      // Left by a run that died without releasing it: take it over. (Gone already: its
      // run has just released it; try again.)
      let owner;
      try {
        owner = Number(readFileSync(path, 'utf8').trim());
      } catch {
        continue;
      }
      if (owner && alive(owner)) return false;
      rmSync(path, { force: true });
    }
  }
  return false;
}

/**
 * A free profile for the browser at `browser` (its path; Chrome and Edge each get their
 * own, as a profile written by one version may not open in another): `{dir, port,
 * release}`, or null (caching off, every slot busy, or the cache folder not writable).
 * `release()` gives the slot back; call it after the browser has closed.
 */
export function acquireProfile({ root = cacheDir(), browser = '' } = {}) {
  if (!root) return null;
  const which = createHash('sha256').update(browser).digest('hex').slice(0, 8);
  for (let slot = 0; slot < PROFILE_SLOTS; slot++) {
    const dir = join(root, `chromium-${which}-${slot}`);
    try {
      mkdirSync(dir, { recursive: true });
    } catch {
      return null;
    }
    const file = `${dir}.lock`;
    if (lock(file)) {
      let released = false;
      const release = () => {
        if (!released) rmSync(file, { force: true });
        released = true;
        process.off('exit', release);
      };
      process.on('exit', release); // Ctrl-C or an uncaught error: the next run need not wait for a stale lock
      return { dir, port: BASE_PORT + slot, release };
    }
  }
  return null;
}
