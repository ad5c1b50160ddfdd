/**
 * Debian's chromium driven by playwright-core, for the UI tests. A missing
 * browser fails the test with the command that installs it (never a skip):
 * the issue requires a real browser, and CI installs it (.ci/run).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.SQUADFLOW_CHROMIUM ?? '/usr/bin/chromium';
/** Where the screenshots go (CI keeps test-results/ as artifacts). */
export const SCREENSHOTS = fileURLToPath(new URL('../../test-results/ui/', import.meta.url));
/** The size the UI is designed for. */
export const VIEWPORT = { width: 1280, height: 800 };

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A headless chromium with a fresh profile in a temp directory (removed on close). */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set SQUADFLOW_CHROMIUM to a chromium binary)`,
    );
  }
  const profile = await mkdtemp(join(tmpdir(), 'squadflow-ui-chromium-'));
  // A persistent context is how playwright takes a user-data-dir (it refuses --user-data-dir in args).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: VIEWPORT,
    timezoneId: 'UTC',
    locale: 'en-GB',
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Saves `test-results/ui/<name>.png` (the viewport as an operator sees it at 1280×800). */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Fails the test with the page's own words when a browser-side error happened. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  return errors;
}
