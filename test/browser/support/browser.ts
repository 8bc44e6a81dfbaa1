import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The address the app calls itself (PUBLIC_URL) and where the test server really listens. */
export interface Target {
  publicUrl: string;
  serverUrl: string;
}

export const LAPTOP = { width: 1366, height: 860 };
export const PHONE = { width: 390, height: 844 };

/**
 * Debian's chromium, headless, with a fresh profile (--user-data-dir, which playwright takes as
 * launchPersistentContext's first argument) removed on close. One browser per person in a
 * test, so two people share no cookie.
 */
export async function openBrowser(
  target: Target,
  viewport = LAPTOP,
): Promise<{ context: BrowserContext; page: Page; close(): Promise<void> }> {
  const baseURL = target.publicUrl;
  if (!existsSync(CHROMIUM)) throw new Error(`No chromium at ${CHROMIUM}: run \`apt-get install -y chromium\` or set CHROMIUM_PATH.`);
  const profile = mkdtempSync(join(tmpdir(), 'bw-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      // The api signs asset links with PUBLIC_URL; the browser reaches that name at the test port.
      `--host-resolver-rules=MAP ${new URL(target.publicUrl).host} ${new URL(target.serverUrl).host}`,
      // …and treats it as the secure origin it is in production, so the clipboard API works.
      `--unsafely-treat-insecure-origin-as-secure=${target.publicUrl}`,
    ],
    baseURL,
    viewport,
    acceptDownloads: true,
    reducedMotion: 'reduce',
  });
  context.setDefaultTimeout(15_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const REPO = resolve(__dirname, '../../..');

/**
 * Screenshots go to test/.artifacts/screenshots on every run, and to docs/screenshots (the ones
 * README shows) only with UPDATE_SCREENSHOTS=1, so an ordinary test run leaves the tree clean.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dirs = [join(REPO, 'test/.artifacts/screenshots')];
  if (process.env.UPDATE_SCREENSHOTS === '1') dirs.push(join(REPO, 'docs/screenshots'));
  for (const dir of dirs) {
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true, animations: 'disabled' });
  }
}

/** Fails the test on any uncaught page error, so a crash is not mistaken for a slow page. */
export function watchForPageErrors(page: Page, errors: string[]): void {
  page.on('pageerror', (err) => errors.push(`${err.name}: ${err.message}`));
}

/**
 * Runs one person's browser session; on failure saves a screenshot named after the test to
 * test/.artifacts/screenshots/failed-*.png (the page says more than a timeout does), and always
 * closes the browser so the test process can exit.
 */
export async function asPerson(
  name: string,
  target: Target,
  viewport: { width: number; height: number },
  errors: string[],
  fn: (page: Page) => Promise<void>,
): Promise<void> {
  const session = await openBrowser(target, viewport);
  watchForPageErrors(session.page, errors);
  try {
    await fn(session.page);
  } catch (err) {
    const dir = join(REPO, 'test/.artifacts/screenshots');
    mkdirSync(dir, { recursive: true });
    await session.page.screenshot({ path: join(dir, `failed-${name}.png`), fullPage: true }).catch(() => undefined);
    throw err;
  } finally {
    await session.close();
  }
}
