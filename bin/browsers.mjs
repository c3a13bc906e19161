// Finding a Chromium-based browser the way people have one: Google Chrome, Chromium or
// Microsoft Edge, on Linux, macOS and Windows. The same places playwright-core's
// channels look (`chrome`, `msedge`, and its own downloaded `chromium`), the usual
// package-manager paths, and the PATH.
//
//   FRAMEPICK_CHROMIUM=/path/to/chrome   use this one (an error if it is not there)
//   FRAMEPICK_BROWSER_PATHS=a:b          search only these (';' on Windows); empty: none
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { delimiter, join, win32 } from 'node:path';

/** Thrown when no browser can be used; `message` says what to install. */
export class BrowserNotFoundError extends Error {
  constructor(message, searched = []) {
    super(message);
    this.name = 'BrowserNotFoundError';
    this.code = 'BROWSER_NOT_FOUND';
    this.searched = searched;
  }
}

const isExecutable = (p, platform) => {
  try {
    if (!statSync(p).isFile()) return false;
    if (platform !== 'win32') accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** playwright-core's own idea of where its channels live (its registry is internal: best effort). */
function playwrightChannels() {
  try {
    const require = createRequire(import.meta.url);
    const { registry } = require('playwright-core/lib/coreBundle').registry;
    return ['chrome', 'msedge', 'chromium', 'chromium-headless-shell']
      .map((name) => {
        try {
          return { path: registry.findExecutable(name)?.executablePath(), source: `playwright channel ${name}` };
        } catch {
          return { path: undefined };
        }
      })
      .filter((c) => c.path);
  } catch {
    return [];
  }
}

/** The usual install paths, most common first, for `platform`. */
export function installPaths(platform = process.platform, env = process.env) {
  if (platform === 'darwin') {
    const apps = [
      'Google Chrome.app/Contents/MacOS/Google Chrome',
      'Chromium.app/Contents/MacOS/Chromium',
      'Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
      'Google Chrome Beta.app/Contents/MacOS/Google Chrome Beta',
      'Google Chrome Canary.app/Contents/MacOS/Google Chrome Canary',
      'Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing',
    ];
    return apps.flatMap((a) => [join('/Applications', a), join(homedir(), 'Applications', a)]);
  }
  if (platform === 'win32') {
    const roots = [env.LOCALAPPDATA, env.PROGRAMFILES, env['PROGRAMFILES(X86)'],
      env.HOMEDRIVE && `${env.HOMEDRIVE}\\Program Files`, env.HOMEDRIVE && `${env.HOMEDRIVE}\\Program Files (x86)`]
      .filter(Boolean);
    const exes = ['Google\\Chrome\\Application\\chrome.exe', 'Microsoft\\Edge\\Application\\msedge.exe',
      'Chromium\\Application\\chrome.exe', 'Google\\Chrome Beta\\Application\\chrome.exe',
      'Google\\Chrome SxS\\Application\\chrome.exe'];
    return exes.flatMap((e) => roots.map((r) => win32.join(r, e)));
  }
  return [
    '/usr/bin/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium',
    '/opt/google/chrome/chrome', '/usr/bin/google-chrome-stable', '/usr/bin/google-chrome',
    '/opt/microsoft/msedge/msedge', '/usr/bin/microsoft-edge-stable', '/usr/bin/microsoft-edge',
    '/usr/local/bin/chromium', '/usr/lib/chromium/chromium',
    '/var/lib/flatpak/exports/bin/org.chromium.Chromium',
  ];
}

/** Browser commands looked up on the PATH. */
function onPath(platform, env) {
  const names = platform === 'win32' ? ['chrome.exe', 'msedge.exe', 'chromium.exe']
    : ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'microsoft-edge',
      'microsoft-edge-stable', 'chrome'];
  const dirs = (env.PATH || env.Path || '').split(platform === 'win32' ? ';' : ':').filter(Boolean);
  return names.flatMap((n) => dirs.map((d) => (platform === 'win32' ? win32.join(d, n) : join(d, n))));
}

/** Every place searched, in order, as `{ path, source }`. */
export function browserCandidates({ env = process.env, platform = process.platform } = {}) {
  if (env.FRAMEPICK_BROWSER_PATHS !== undefined) {
    return env.FRAMEPICK_BROWSER_PATHS.split(platform === 'win32' ? ';' : delimiter).filter(Boolean)
      .map((path) => ({ path, source: 'FRAMEPICK_BROWSER_PATHS' }));
  }
  // Installed browsers before playwright's downloads; the channels' paths are the same
  // as the first install paths, so duplicates are dropped below.
  const seen = new Set();
  return [
    ...installPaths(platform, env).map((path) => ({ path, source: 'install path' })),
    ...playwrightChannels(),
    ...onPath(platform, env).map((path) => ({ path, source: 'PATH' })),
  ].filter((c) => !seen.has(c.path) && seen.add(c.path));
}

export const INSTALL_HINT = {
  linux: 'Install Chromium (Debian/Ubuntu: sudo apt-get install chromium; Fedora: sudo dnf install chromium) ' +
    'or Google Chrome (https://www.google.com/chrome/)',
  darwin: 'Install Google Chrome (https://www.google.com/chrome/) or Chromium (brew install --cask chromium)',
  win32: 'Install Google Chrome (https://www.google.com/chrome/) or Microsoft Edge',
};

/**
 * The browser to run: `explicit` (from --browser), else FRAMEPICK_CHROMIUM, else the
 * first of `browserCandidates()` that exists. Throws BrowserNotFoundError.
 * @returns {{ path: string, source: string }}
 */
export function findBrowser({ explicit, explicitSource = '--browser', env = process.env,
  platform = process.platform } = {}) {
  const given = explicit ? { path: explicit, source: explicitSource }
    : env.FRAMEPICK_CHROMIUM ? { path: env.FRAMEPICK_CHROMIUM, source: 'FRAMEPICK_CHROMIUM' } : null;
  if (given) {
    if (isExecutable(given.path, platform)) return given;
    throw new BrowserNotFoundError(`${given.source} is ${given.path}, which is not an executable file. ` +
      'Point it at Chrome, Chromium or Edge (e.g. /usr/bin/chromium, ' +
      '"/Applications/Google Chrome.app/Contents/MacOS/Google Chrome").', [given.path]);
  }
  const candidates = browserCandidates({ env, platform });
  const found = candidates.find((c) => isExecutable(c.path, platform));
  if (found) return found;
  const hint = INSTALL_HINT[platform] || INSTALL_HINT.linux;
  throw new BrowserNotFoundError(
    'no Chrome, Chromium or Edge was found; framepick runs its picks in one, headless.\n' +
    `  ${hint},\n  or set FRAMEPICK_CHROMIUM to the browser's executable.\n` +
    `  Searched ${candidates.length} place${candidates.length === 1 ? '' : 's'}` +
    (env.FRAMEPICK_BROWSER_PATHS !== undefined ? ' (only those in FRAMEPICK_BROWSER_PATHS)' : '') +
    (env.FRAMEPICK_DEBUG && candidates.length ? `:\n    ${candidates.map((c) => c.path).join('\n    ')}` : '.'),
    candidates.map((c) => c.path));
}
