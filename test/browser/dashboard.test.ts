import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { startApp, type TestApp } from '../support/app';
import { gql } from '../support/graphql';
import { buildDashboard } from './support/dashboard-build';
import { LAPTOP, PHONE, asPerson, screenshot } from './support/browser';

/**
 * The dashboard in a real browser (Debian's chromium through playwright-core) against the real
 * api, PostgreSQL and Redis: a marketer's first session from sign-up to a second tenant who must
 * see none of it.
 */
describe('dashboard in a browser', () => {
  let app: TestApp;
  let build: { dir: string; remove(): void };
  const pageErrors: string[] = [];
  const first = { email: `ada-${process.pid}-${Date.now()}@example.com`, password: 'correct horse battery', name: 'Ada Marketer' };
  const created = { brandId: '', campaignId: '' };

  before(async () => {
    build = buildDashboard();
    app = await startApp({ DASHBOARD_DIR: build.dir });
  });

  after(async () => {
    await app?.close();
    build?.remove();
  });

  async function signUp(page: Page, who: { email: string; password: string; name: string }, workspace: string) {
    await page.goto('/');
    await page.waitForURL(/\/login/);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Your name').fill(who.name);
    await page.getByLabel('Work email').fill(who.email);
    await page.getByLabel('Password').fill(who.password);
    await page.getByLabel('Workspace name').fill(workspace);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Brands', level: 1 }).waitFor();
  }

  test('sign up, write a brand voice, create a campaign, invite, API keys, log out and in', async () => {
    await asPerson('first-session', app.url, LAPTOP, pageErrors, async (page) => {
      // A wrong password is explained, not just refused.
      await page.goto('/login');
      await page.getByLabel('Email').fill('nobody@example.com');
      await page.getByLabel('Password').fill('wrong password here');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('alert').filter({ hasText: 'do not match an account' }).waitFor();
      await screenshot(page, 'log-in');

      await signUp(page, first, 'Ada Agency');
      await page.getByRole('region', { name: 'No brands yet' }).waitFor();
      assert.equal(await page.getByRole('combobox', { name: 'Workspace' }).locator('option:checked').textContent(), 'Ada Agency');

      // A brand: name first, then the voice in the editor.
      await page.getByLabel('Brand name').fill('Northwind Coffee');
      await page.getByLabel('What the brand does').fill('Small-batch coffee roasted to order and shipped the same day.');
      await page.getByRole('button', { name: 'Create brand' }).click();
      await page.getByRole('heading', { name: 'Northwind Coffee', level: 1 }).waitFor();
      created.brandId = page.url().split('/').pop()!;

      await page.getByLabel('Audience').fill('Home baristas who care where their beans come from.');
      await page.getByLabel('We are (1)').fill('warm');
      await page.getByLabel('We are not (1)').fill('syrupy');
      await page.getByRole('button', { name: 'Add a pair' }).click();
      await page.getByLabel('We are (2)').fill('precise');
      await page.getByLabel('We are not (2)').fill('fussy');
      await page.getByLabel('Add to banned terms').fill('cheap');
      await page.getByLabel('Add to banned terms').press('Enter');
      await page.getByLabel('Add to required terms').fill('Northwind');
      await page.getByRole('group', { name: 'Required terms' }).getByRole('button', { name: 'Add' }).click();
      await page.getByLabel('Add to preferred terms').fill('roasted to order');
      await page.getByLabel('Add to preferred terms').press('Enter');
      await page.getByLabel('Exclamation marks').uncheck();
      await page.getByLabel('Headline case').selectOption('SENTENCE');
      await page
        .getByLabel('Example copy')
        .fill('Roasted Tuesday, at your door Thursday.\n\nNorthwind: coffee that tastes like where it grew.');
      await page.getByRole('button', { name: 'Add a colour' }).click();
      await page.getByLabel('Colour 1').fill('#7a3e1d');
      await page.getByRole('button', { name: 'Add a colour' }).click();
      await page.getByLabel('Colour 2').fill('#f2e6d8');
      await page.getByLabel('Heading font').fill('Inter');
      const logo = await sharp({ create: { width: 64, height: 32, channels: 4, background: '#7a3e1d' } })
        .png()
        .toBuffer();
      await page.getByLabel('Logo').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: logo });
      await page.getByRole('img', { name: 'Northwind Coffee logo' }).waitFor();
      await page.getByRole('button', { name: 'Save brand' }).click();
      await page.getByRole('status').filter({ hasText: 'Brand saved.' }).waitFor();
      await screenshot(page, 'brand-voice');

      // A reload keeps the session (refresh cookie) and shows what was saved.
      await page.reload();
      await page.getByRole('heading', { name: 'Northwind Coffee', level: 1 }).waitFor();
      assert.equal(await page.getByLabel('We are (2)').inputValue(), 'precise');
      await page.getByRole('list', { name: 'Banned terms' }).getByText('cheap').waitFor();
      assert.equal(await page.getByLabel('Colour 1').inputValue(), '#7a3e1d');
      await page.getByRole('img', { name: 'Northwind Coffee logo' }).waitFor();
      // The preview is the file GET /brands/:id/logo returned, decoded at its real size.
      await page.waitForFunction("document.querySelector('img.logo-preview')?.naturalWidth === 64");

      // An invalid edit is explained with the field to fix.
      await page.getByLabel('Brand name').fill('');
      await page.getByLabel('Brand name').fill(' ');
      await page.getByRole('button', { name: 'Save brand' }).click();
      await page.getByRole('alert').filter({ hasText: /name/i }).waitFor();
      await page.getByLabel('Brand name').fill('Northwind Coffee');
      await page.getByRole('button', { name: 'Save brand' }).click();
      await page.getByRole('status').filter({ hasText: 'Brand saved.' }).waitFor();

      // A campaign with channels and a brief.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
      await page.getByRole('heading', { name: 'Campaigns', level: 1 }).waitFor();
      await page.getByRole('region', { name: 'No campaigns yet' }).waitFor();
      await page.getByRole('button', { name: 'New campaign' }).click();
      await page.getByLabel('Campaign name').fill('Spring single origins');
      await page.getByLabel('Objective').selectOption('SALES');
      await page.getByLabel(/Meta ad headline/).check();
      await page
        .getByLabel('Brief')
        .fill(
          'Three new single-origin coffees from Ethiopia, Colombia and Guatemala. 20% off the first bag until April 30. Free shipping over $30.',
        );
      await page.getByRole('button', { name: 'Create campaign' }).click();
      await page.getByRole('heading', { name: 'Spring single origins', level: 1 }).waitFor();
      created.campaignId = page.url().split('/').pop()!;
      await page.getByRole('link', { name: 'Brand: Northwind Coffee' }).waitFor();
      await screenshot(page, 'campaign');

      // Team: invite someone; the link is shown once.
      await page.getByRole('link', { name: 'Team' }).click();
      await page.getByRole('table', { name: 'Members' }).getByText(first.email).waitFor();
      await page.getByRole('form', { name: 'Invite a member' }).getByLabel('Email').fill('bo@example.com');
      await page.getByLabel('Role', { exact: true }).selectOption('VIEWER');
      await page.getByRole('button', { name: 'Send invitation' }).click();
      const inviteLink = await page.locator('.notice.success code').textContent();
      assert.match(inviteLink ?? '', /\/accept-invitation\?token=/);
      await page.getByRole('list', { name: 'Open invitations' }).getByText('bo@example.com as viewer').waitFor();
      await screenshot(page, 'team');

      // Developers: an API key, shown once, that really works; then revoked.
      await page.getByRole('link', { name: 'Developers' }).click();
      await page.getByRole('region', { name: 'No API keys yet' }).waitFor();
      await page.getByLabel('Key name').fill('Agency CMS');
      await page.getByRole('button', { name: 'Create API key' }).click();
      const secret = (await page.getByLabel('Your new API key').textContent()) ?? '';
      assert.match(secret, /^bw_[A-Za-z0-9_-]+_/);
      await page.getByRole('button', { name: 'Copy key' }).click();
      await page.getByText('Copied').waitFor();
      assert.equal(await page.evaluate<string>('navigator.clipboard.readText()'), secret);
      const viaKey = await gql(app.url, '{ brands { nodes { name } } }', {}, secret);
      assert.deepEqual(viaKey.data, { brands: { nodes: [{ name: 'Northwind Coffee' }] } });
      await screenshot(page, 'developers');
      page.once('dialog', (d) => void d.accept());
      await page.getByRole('button', { name: 'Revoke Agency CMS' }).click();
      await page.getByRole('cell', { name: /^Revoked/ }).waitFor();
      const afterRevoke = await gql(app.url, '{ brands { nodes { name } } }', {}, secret);
      assert.equal(afterRevoke.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');

      // Log out, and back in.
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByRole('heading', { name: 'Log in to Brandwright' }).waitFor();
      await page.goto('/brands');
      await page.waitForURL(/\/login\?next=%2Fbrands/);
      await page.getByLabel('Email').fill(first.email);
      await page.getByLabel('Password').fill(first.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('list', { name: 'Brands' }).getByRole('link', { name: 'Northwind Coffee' }).waitFor();
      await screenshot(page, 'brands');
    });
    assert.deepEqual(pageErrors, []);
  });

  test('on a phone the navigation folds into a menu button', async () => {
    await asPerson('phone', app.url, PHONE, pageErrors, async (page) => {
      await page.goto('/login');
      await page.getByLabel('Email').fill(first.email);
      await page.getByLabel('Password').fill(first.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('heading', { name: 'Brands', level: 1 }).waitFor();
      const nav = page.getByRole('navigation', { name: 'Main' });
      assert.equal(await nav.isVisible(), false);
      const menu = page.getByRole('button', { name: 'Menu' });
      assert.equal(await menu.getAttribute('aria-expanded'), 'false');
      await menu.focus();
      await page.keyboard.press('Enter');
      assert.equal(await menu.getAttribute('aria-expanded'), 'true');
      await nav.getByRole('link', { name: 'Campaigns' }).click();
      await page.getByRole('link', { name: 'Spring single origins' }).waitFor();
      assert.equal(await nav.isVisible(), false, 'the menu closes after choosing a page');
      await screenshot(page, 'phone-campaigns');
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px on a phone`);
    });
    assert.deepEqual(pageErrors, []);
  });

  test('a user of another workspace sees none of it', async () => {
    await asPerson('other-tenant', app.url, LAPTOP, pageErrors, async (page) => {
      await signUp(
        page,
        { email: `eve-${process.pid}-${Date.now()}@example.com`, password: 'another good password', name: 'Eve Other' },
        'Eve Co',
      );
      await page.getByRole('region', { name: 'No brands yet' }).waitFor();
      assert.equal(await page.getByText('Northwind Coffee').count(), 0);

      await page.goto(`/brands/${created.brandId}`);
      await page
        .getByRole('alert')
        .filter({ hasText: /not found|deleted/i })
        .waitFor();
      assert.equal(await page.getByText('Northwind').count(), 0);

      await page.goto(`/campaigns/${created.campaignId}`);
      await page.getByRole('alert').waitFor();
      assert.equal(await page.getByText('Spring single origins').count(), 0);

      await page.goto('/campaigns');
      await page.getByRole('region', { name: 'Create a brand first' }).waitFor();
      const logo = await page.evaluate(async (id) => (await fetch(`/brands/${id}/logo`)).status, created.brandId);
      assert.notEqual(logo, 200);
    });
    assert.deepEqual(pageErrors, []);
  });
});
