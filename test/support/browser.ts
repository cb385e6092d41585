import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** The browser: CHROMIUM_PATH, else Debian's chromium. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Whether the browser tests run. In CI they always do (and fail if the
 * browser is missing). Elsewhere they are skipped only when no browser is
 * found, and that is said loudly.
 */
export function shouldRunBrowserTests(): boolean {
  if (process.env.CI || existsSync(CHROMIUM_PATH)) {
    return true;
  }
  console.warn(
    [
      '',
      '*'.repeat(72),
      `SKIPPING THE BROWSER TESTS: no browser at ${CHROMIUM_PATH}.`,
      'Install one (apt-get install chromium) or set CHROMIUM_PATH.',
      'In CI (CI set) they never skip.',
      '*'.repeat(72),
      '',
    ].join('\n'),
  );
  return false;
}

/** Starts headless chromium as this machine needs it (no sandbox as root, no network). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
    ],
  });
}
