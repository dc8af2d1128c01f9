// Debian's Chromium for the browser lane, one per test file (launched before its tests, closed after), driven by
// playwright-core: what a person sees, tested as they see it.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The browser of the calling test file; `args` are Chromium's own switches besides --no-sandbox. */
export function useChromium(args: string[] = []): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (.ci/run does), or set CHROMIUM_PATH`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', ...args] });
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => browser!;
}
