import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { startApp, type TestApp } from '../support/app';
import { buildTestModel, startWorker, type WorkerProcess } from '../jobs/support';
import { buildDashboard } from './support/dashboard-build';
import { LAPTOP, asPerson } from './support/browser';
import { newPerson } from './support/people';
import { expectAccessible, nonTextContrastProblems } from './support/axe';

/** What has focus: its tag, accessible name (as near as the DOM says it) and a few attributes. */
interface Focused {
  tag: string;
  name: string;
  id: string;
  status: string | null;
  variantId: string | null;
  className: string;
}

// In the page (the root tsconfig has no DOM types, so page code is a string, as in the other tests).
const FOCUSED = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return { tag: 'body', name: '', id: '', status: null, variantId: null, className: '' };
  const name = el.getAttribute('aria-label') ?? (el.labels?.[0]?.textContent ?? '').trim();
  return {
    tag: el.tagName.toLowerCase(),
    name: (name || el.textContent || '').replace(/\\s+/g, ' ').trim(),
    id: el.id,
    status: el.getAttribute('data-status'),
    variantId: el.getAttribute('data-variant-id'),
    className: String(el.className),
  };
})()`;

async function focused(page: Page): Promise<Focused> {
  return page.evaluate<Focused>(FOCUSED);
}

/** Presses Tab (or Shift+Tab) until focus is on `tag` named `name`; fails after `limit` presses. */
async function tabTo(page: Page, tag: string, name: string | RegExp, { back = false, limit = 120 } = {}): Promise<void> {
  const seen: string[] = [];
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const now = await focused(page);
    seen.push(`${now.tag} "${now.name.slice(0, 40)}"`);
    if (now.tag === tag && (typeof name === 'string' ? now.name === name : name.test(now.name))) return;
  }
  throw new Error(`Tab never reached ${tag} "${name}"; it visited:\n${seen.join('\n')}`);
}

/** Waits until focus is where `check` says, then returns it (focus moves after a request ends). */
async function focusSettles(page: Page, what: string, check: (f: Focused) => boolean): Promise<Focused> {
  let last: Focused | undefined;
  for (let i = 0; i < 300; i++) {
    last = await focused(page);
    if (check(last)) return last;
    await page.waitForTimeout(100);
  }
  throw new Error(`focus never reached ${what}; it is on ${JSON.stringify(last)}`);
}

/**
 * The whole first session with the keyboard alone: sign up, create a brand, save it, create a
 * campaign, write copy, approve a variant, download the CSV. After each action the test asserts
 * where focus landed: never on <body>, always on what the action produced.
 */
describe('dashboard by keyboard alone', () => {
  const PUBLIC_URL = 'http://brandwright.test:3000';
  const target = () => ({ publicUrl: PUBLIC_URL, serverUrl: app.url });
  const who = newPerson('Kim Keyboard');
  const pageErrors: string[] = [];
  let app: TestApp;
  let worker: WorkerProcess;
  let build: { dir: string; remove(): void };
  let modelDir: string;

  before(async () => {
    build = buildDashboard();
    modelDir = buildTestModel();
    const env = { MODEL_DIR: modelDir, WORKER_QUEUES: 'generate-text', DASHBOARD_DIR: build.dir, PUBLIC_URL };
    app = await startApp(env);
    worker = await startWorker(app.database, env);
  });

  after(async () => {
    await worker?.stop('SIGKILL');
    await app?.close();
    if (modelDir) rmSync(modelDir, { recursive: true, force: true });
    build?.remove();
  });

  test('sign-up → brand → campaign → copy → approve → download, focus on what each action produced', async () => {
    await asPerson('keyboard', target(), LAPTOP, pageErrors, async (page) => {
      await page.goto('/login');
      await page.getByRole('heading', { name: 'Log in to Brandwright' }).waitFor();

      // A route change: the new page's h1 has focus and names the tab.
      await tabTo(page, 'a', 'Create an account');
      await page.keyboard.press('Enter');
      assert.equal((await focusSettles(page, 'the sign-up h1', (f) => f.tag === 'h1')).name, 'Create your Brandwright account');
      assert.equal(await page.title(), 'Create your Brandwright account · Brandwright');

      await tabTo(page, 'input', 'Your name');
      await page.keyboard.type(who.name);
      await tabTo(page, 'input', 'Work email');
      await page.keyboard.type(who.email);
      await tabTo(page, 'input', 'Password');
      await page.keyboard.type(who.password);
      await tabTo(page, 'input', 'Workspace name');
      await page.keyboard.type('Keys Inc');
      await page.keyboard.press('Enter');
      assert.equal((await focusSettles(page, 'the Brands h1', (f) => f.tag === 'h1')).name, 'Brands');
      assert.equal(await page.title(), 'Brands · Brandwright');

      // The theme follows the system until the toggle is pressed; the choice outlives a reload.
      const scheme = () => page.evaluate<string>('getComputedStyle(document.documentElement).colorScheme');
      await page.emulateMedia({ colorScheme: 'dark' });
      assert.equal(await scheme(), 'dark');
      await page.emulateMedia({ colorScheme: 'light' });
      assert.equal(await scheme(), 'light');
      await tabTo(page, 'button', 'Dark theme', { back: true });
      await page.keyboard.press('Enter');
      assert.equal(await scheme(), 'dark');
      assert.equal((await focused(page)).name, 'Dark theme', 'focus stays on the toggle');
      assert.equal(await page.getByRole('button', { name: 'Dark theme' }).getAttribute('aria-pressed'), 'true');
      await page.reload();
      await page.getByRole('heading', { name: 'Brands', level: 1 }).waitFor();
      assert.equal(await scheme(), 'dark', 'the choice is remembered');
      await tabTo(page, 'button', 'Dark theme');
      await page.keyboard.press('Enter');
      assert.equal(await scheme(), 'light');
      await page.locator('main h1').focus();

      // Create a brand: focus goes to the new brand's h1.
      await tabTo(page, 'input', 'Brand name');
      await page.keyboard.type('Keyboard Coffee');
      await tabTo(page, 'textarea', 'What the brand does');
      await page.keyboard.type('Coffee for people who never touch a mouse.');
      await tabTo(page, 'button', 'Create brand');
      await page.keyboard.press('Enter');
      assert.equal((await focusSettles(page, "the new brand's h1", (f) => f.tag === 'h1')).name, 'Keyboard Coffee');
      assert.equal(await page.title(), 'Keyboard Coffee · Brandwright');

      // Input borders and the focus ring stand out from the page (3:1), in both themes.
      assert.deepEqual(await nonTextContrastProblems(page, 'main input[type=text], main input:not([type])'), []);
      await page.locator('main h1').focus();

      // Save the brand: the button is disabled while saving; focus comes back to it, the status says so.
      await tabTo(page, 'textarea', 'Audience');
      await page.keyboard.type('People at keyboards.');
      await tabTo(page, 'button', 'Save brand');
      await page.keyboard.press('Enter');
      await page.getByRole('status').filter({ hasText: 'Brand saved.' }).waitFor();
      assert.equal((await focusSettles(page, 'Save brand', (f) => f.tag !== 'body')).name, 'Save brand');

      // To the brand's campaigns, then "New campaign", which the form replaces: focus starts in it.
      await tabTo(page, 'a', 'Campaigns for this brand', { back: true });
      await page.keyboard.press('Enter');
      assert.equal((await focusSettles(page, 'the Campaigns h1', (f) => f.tag === 'h1')).name, 'Campaigns');
      await tabTo(page, 'button', 'New campaign');
      await page.keyboard.press('Enter');
      assert.deepEqual(
        await focusSettles(page, 'Campaign name', (f) => f.tag === 'input').then((f) => f.name),
        'Campaign name',
        'the form that replaced the button has focus',
      );
      await page.keyboard.type('Keys week');
      // One channel: untick the second default, so one job runs.
      await tabTo(page, 'input', /Google.*description/i);
      await page.keyboard.press('Space');
      await tabTo(page, 'textarea', 'Brief');
      await page.keyboard.type('A week of coffee for keyboard people. 10% off with code KEYS.');
      await tabTo(page, 'button', 'Create campaign');
      await page.keyboard.press('Enter');
      assert.equal((await focusSettles(page, "the campaign's h1", (f) => f.tag === 'h1')).name, 'Keys week');
      assert.equal(await page.title(), 'Keys week · Brandwright');

      // Copy: the button is disabled while writing; focus goes to the job's status, then to the
      // first variant written; the page's one live region says start and end, once each.
      const announcements: string[] = [];
      await page.exposeFunction('recordAnnouncement', (text: string) => announcements.push(text));
      await page.evaluate(`(() => {
        const region = document.querySelector('[data-testid=announcer]');
        new MutationObserver(() => {
          if (region.textContent) window.recordAnnouncement(region.textContent);
        }).observe(region, { childList: true, characterData: true, subtree: true });
      })()`);
      await tabTo(page, 'button', /^Generate copy for /);
      await page.keyboard.press('Enter');
      const variant = await focusSettles(page, 'the first new variant', (f) => f.tag === 'li' && !!f.variantId);
      assert.match(variant.name, /^Draft variant: ./);
      await page.waitForFunction(`/variants? written for/.test(document.querySelector('[data-testid=announcer]')?.textContent ?? '')`);
      assert.ok(announcements.length >= 2, `announced: ${JSON.stringify(announcements)}`);
      assert.match(announcements[0], /^Writing .+…$/);
      assert.match(announcements.at(-1)!, /^\d+ variants? written for .+\.$/);
      assert.ok(announcements.length <= 3, `start and end once each, not word by word: ${JSON.stringify(announcements)}`);

      // Approve: the button disables itself; focus goes to the card it approved.
      await tabTo(page, 'button', 'Approve');
      await page.keyboard.press('Enter');
      const approved = await focusSettles(page, 'the approved variant', (f) => f.tag === 'li' && f.status === 'APPROVED');
      assert.equal(approved.variantId, variant.variantId, 'the variant whose Approve was pressed');
      assert.match(approved.name, /^Approved variant: /);
      await page.waitForFunction(`document.querySelector('[data-testid=announcer]')?.textContent === 'Variant approved.'`);
      await expectAccessible(page, 'keyboard: variant approved');

      // Download: focus stays on the export button.
      await tabTo(page, 'button', /^Export approved copy/, { back: true });
      const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
      const csv = readFileSync((await download.path())!, 'utf8');
      const text = approved.name.replace(/^Approved variant: /, '');
      assert.ok(csv.includes(text.slice(0, 20)), 'the approved copy is in the CSV');
      assert.match((await focused(page)).name, /^Export approved copy/);
    });
    assert.deepEqual(pageErrors, []);
  });
});
