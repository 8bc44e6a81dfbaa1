import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startApp, type TestApp } from '../support/app';
import { openBrowser, type Target } from './support/browser';
import { buildDashboard } from './support/dashboard-build';

/**
 * The CSP in a real browser: the built dashboard and /graphiql must work under it with no
 * violation reported. (test/api/security.test.ts checks the headers themselves.)
 */
let api: TestApp;
let build: { dir: string; remove(): void };
let target: Target;

before(async () => {
  build = buildDashboard();
  api = await startApp({ DASHBOARD_DIR: build.dir });
  target = { publicUrl: api.url, serverUrl: api.url };
});
after(async () => {
  await api?.close();
  build?.remove();
});

/** Every CSP violation the page reports, from the DOM event and from the console. */
async function watchViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.exposeFunction('reportViolation', (v: string) => violations.push(v));
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (e) => window.reportViolation(e.violatedDirective + ' ' + e.blockedURI));`,
  });
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  return violations;
}

test('the built dashboard renders under its CSP with no violation', async () => {
  const browser = await openBrowser(target);
  try {
    const violations = await watchViolations(browser.page);
    await browser.page.goto('/');
    await browser.page.locator('input[type="email"]').first().waitFor();
    assert.deepEqual(violations, []);
  } finally {
    await browser.close();
  }
});

test('/graphiql renders from local files under its CSP with no violation', async () => {
  const browser = await openBrowser(target);
  try {
    const violations = await watchViolations(browser.page);
    const external: string[] = [];
    browser.page.on('request', (r) => {
      if (!r.url().startsWith(api.url) && !r.url().startsWith('ws://') && !r.url().startsWith('data:')) external.push(r.url());
    });
    await browser.page.goto('/graphiql');
    await browser.page.locator('.graphiql-container').first().waitFor();
    assert.deepEqual(violations, []);
    assert.deepEqual(external, []);
  } finally {
    await browser.close();
  }
});
