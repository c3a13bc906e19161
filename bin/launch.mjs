// How the CLI starts the browser: the flags it runs with, in the profile it keeps
// between runs (bin/profile.mjs) or in a throwaway one.
import { chromium } from 'playwright-core';

/** Headless Chromium flags of every run (no sandbox in containers, nothing phoning home). */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'];
/**
 * For `--gpu`: WebGPU on SwiftShader (a software adapter; headless Chromium here has no
 * other), with ANGLE and Vulkan on SwiftShader too. Without them the adapter exists but
 * importing a VideoFrame fails (under --disable-gpu) or drops the GPU instance ("A valid
 * external Instance reference no longer exists").
 */
export const GPU_CHROMIUM_ARGS = [...CHROMIUM_ARGS.filter((a) => a !== '--disable-gpu'),
  '--enable-unsafe-webgpu', '--use-angle=swiftshader', '--use-webgpu-adapter=swiftshader',
  '--enable-features=Vulkan', '--use-vulkan=swiftshader'];

/**
 * Start the browser: in the kept `profile` (its code cache) when there is one, else in a
 * throwaway profile. A kept profile that will not open (another Chromium version left it
 * unreadable, say) is given back and the run goes on without it.
 * @returns {Promise<{newPage: () => Promise<import('playwright-core').Page>, close: () => Promise<void>,
 *   version: string, profile: string|null}>}
 */
export async function launchBrowser(executablePath, args, profile) {
  if (profile) {
    try {
      const context = await chromium.launchPersistentContext(profile.dir, { executablePath, args });
      let blank = context.pages()[0] || null; // the window it opened with serves the first page
      let version = '';
      try {
        const cdp = await context.newCDPSession(blank || await context.newPage());
        version = (await cdp.send('Browser.getVersion')).product.split('/').pop();
        await cdp.detach();
      } catch { /* the version is for the report only */ }
      return {
        version, profile: profile.dir,
        newPage: () => {
          const page = blank && !blank.isClosed() ? blank : null;
          blank = null;
          return page ? Promise.resolve(page) : context.newPage();
        },
        close: async () => {
          await context.close().catch(() => {});
          profile.release();
        },
      };
    } catch {
      profile.release();
    }
  }
  const browser = await chromium.launch({ executablePath, args });
  return { version: browser.version(), profile: null, newPage: () => browser.newPage(),
    close: () => browser.close().catch(() => {}) };
}
