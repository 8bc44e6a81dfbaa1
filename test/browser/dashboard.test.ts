import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import sharp from 'sharp';
import { startApp, type TestApp } from '../support/app';
import { gql } from '../support/graphql';
import { buildDashboard } from './support/dashboard-build';
import { buildTestModel, startWorker, type WorkerProcess } from '../jobs/support';
import { LAPTOP, PHONE, asPerson, screenshot } from './support/browser';
import { signUp } from './support/people';
import { expectAccessible } from './support/axe';

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

  // A name of its own, so signed asset links and invitation links point where the browser goes.
  const PUBLIC_URL = 'http://brandwright.test:3000';
  const target = () => ({ publicUrl: PUBLIC_URL, serverUrl: app.url });
  let worker: WorkerProcess;
  let modelDir: string;

  before(async () => {
    build = buildDashboard();
    modelDir = buildTestModel();
    const env = { MODEL_DIR: modelDir, WORKER_QUEUES: 'generate-text,generate-image,webhooks', DASHBOARD_DIR: build.dir, PUBLIC_URL };
    app = await startApp(env);
    worker = await startWorker(app.database, env);
  });

  after(async () => {
    await worker?.stop('SIGKILL');
    await app?.close();
    if (modelDir) rmSync(modelDir, { recursive: true, force: true });
    build?.remove();
  });

  test('sign up, write a brand voice, create a campaign, invite, API keys, log out and in', async () => {
    await asPerson('first-session', target(), LAPTOP, pageErrors, async (page) => {
      // A wrong password is explained, not just refused.
      await page.goto('/login');
      await page.getByLabel('Email').fill('nobody@example.com');
      await page.getByLabel('Password').fill('wrong password here');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('alert').filter({ hasText: 'do not match an account' }).waitFor();
      await screenshot(page, 'log-in');
      await expectAccessible(page, 'log-in');

      await signUp(page, first, 'Ada Agency');
      await page.getByRole('region', { name: 'No brands yet' }).waitFor();
      await expectAccessible(page, 'no brands yet');
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
      await expectAccessible(page, 'brand-voice');

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
      await expectAccessible(page, 'brand with an invalid name');
      await page.getByLabel('Brand name').fill('Northwind Coffee');
      await page.getByRole('button', { name: 'Save brand' }).click();
      await page.getByRole('status').filter({ hasText: 'Brand saved.' }).waitFor();

      // A campaign with channels and a brief.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
      await page.getByRole('heading', { name: 'Campaigns', level: 1 }).waitFor();
      await page.getByRole('region', { name: 'No campaigns yet' }).waitFor();
      await page.getByRole('button', { name: 'New campaign' }).click();
      await page.getByLabel('Campaign name').waitFor();
      await expectAccessible(page, 'new campaign form');
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
      await expectAccessible(page, 'campaign');

      // Copy: the text streams into the page token by token, then the variants arrive with reports.
      await page.evaluate(`(() => {
        window.__streamed = [];
        new MutationObserver(() => {
          for (const el of document.querySelectorAll('[data-testid=streaming-variant] .variant-text')) window.__streamed.push(el.textContent);
        }).observe(document.body, { subtree: true, childList: true, characterData: true });
      })()`);
      await page.getByRole('button', { name: 'Generate copy for Meta ad headline' }).click();
      const variants = page.getByRole('list', { name: 'Meta ad headline variants' }).getByRole('listitem');
      await variants.first().waitFor({ timeout: 60_000 });
      const streamed = await page.evaluate<string[]>('window.__streamed.filter(Boolean)');
      const distinct = new Set(streamed);
      assert.ok(distinct.size >= 2, `the copy was seen growing in the page (${distinct.size} distinct snapshots)`);
      assert.ok(
        [...distinct].some((a) => [...distinct].some((b) => b.length > a.length && b.startsWith(a))),
        'a later snapshot extends an earlier one',
      );
      assert.ok((await variants.count()) >= 1);
      const firstVariant = variants.first();
      const text = (await firstVariant.locator('.variant-text').textContent()) ?? '';
      assert.ok(text.length > 0);
      assert.match((await firstVariant.locator('.counter').textContent()) ?? '', /^\d+\/40$/);
      await firstVariant
        .getByLabel('Voice report')
        .getByText(/^Voice \d+\/100$/)
        .waitFor();
      await firstVariant.getByRole('button', { name: 'Copy text' }).click();
      assert.equal(await page.evaluate<string>('navigator.clipboard.readText()'), text);
      await firstVariant.getByRole('button', { name: 'Approve' }).click();
      await page.locator(`.variant[data-status=APPROVED]`).first().waitFor();
      await screenshot(page, 'copy-variants');
      await expectAccessible(page, 'copy-variants');

      // The approval is stored: it survives a reload, and the CSV export carries it.
      await page.reload();
      const approved = page.locator('.variant[data-status=APPROVED] .variant-text');
      await approved.first().waitFor();
      assert.equal(await approved.first().textContent(), text);
      const [csvDownload] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: /Export approved copy/ }).click(),
      ]);
      const csv = readFileSync((await csvDownload.path())!, 'utf8');
      assert.match(csv.split('\r\n')[0], /^Campaign,Ad group,Ad type,Headline 1,/);
      assert.ok(csv.includes('META_HEADLINE'), 'the approved headline is in the CSV');
      assert.equal(csvDownload.suggestedFilename(), 'spring-single-origins-google-ads-editor.csv');

      // Images: two formats, a progress bar per step, a gallery with the brand check, a PNG download.
      await page.getByLabel('Picture').fill('coffee beans on a warm wooden table');
      await page.getByLabel('Headline on the image').fill('Roasted to order');
      await page.getByRole('button', { name: 'Generate images' }).click();
      await page.getByRole('list', { name: 'Image generation progress' }).waitFor();
      assert.equal(await page.getByRole('list', { name: 'Image generation progress' }).locator('progress').count(), 4);
      const creatives = page.getByRole('list', { name: 'Creatives' }).getByRole('listitem');
      await creatives.nth(1).waitFor({ timeout: 120_000 });
      assert.equal(await creatives.count(), 2);
      await page
        .getByRole('list', { name: 'Creatives' })
        .getByText(/Brand check (passed|failed)/)
        .first()
        .waitFor();
      await page.waitForFunction("[...document.querySelectorAll('.gallery img')].every((img) => img.complete && img.naturalWidth > 0)");
      await screenshot(page, 'images');
      await expectAccessible(page, 'images');
      const [pngDownload] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'PNG of Square 1080×1080' }).click(),
      ]);
      const png = await sharp(readFileSync((await pngDownload.path())!)).metadata();
      assert.deepEqual([png.format, png.width, png.height], ['png', 1080, 1080]);
      const [zipDownload] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: /Download all \(2\) as zip/ }).click(),
      ]);
      const zip = readFileSync((await zipDownload.path())!);
      assert.equal(zip.readUInt32LE(0), 0x04034b50, 'a zip file');
      assert.equal(zip.readUInt16LE(zip.length - 22 + 10), 4, 'two PNGs and two WebPs in the zip');

      // Usage shows the credits those jobs spent.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Usage & billing' }).click();
      const used = Number(await page.getByTestId('credits-used').locator('strong').textContent());
      assert.ok(used > 0, `credits used shows ${used}`);
      await page
        .getByRole('table', { name: /By meter/ })
        .getByText('Output tokens')
        .waitFor();
      assert.ok((await page.locator('svg.chart rect').count()) >= 1, 'the chart has a bar');
      await screenshot(page, 'usage');
      await expectAccessible(page, 'usage');

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
      await expectAccessible(page, 'team');

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
      await expectAccessible(page, 'developers');
      page.once('dialog', (d) => void d.accept());
      await page.getByRole('button', { name: 'Revoke Agency CMS' }).click();
      await page.getByRole('cell', { name: /^Revoked/ }).waitFor();
      const afterRevoke = await gql(app.url, '{ brands { nodes { name } } }', {}, secret);
      assert.equal(afterRevoke.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');

      // Log out, and back in.
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByRole('heading', { name: 'Log in to Brandwright' }).waitFor();
      await expectAccessible(page, 'logged out');
      await page.goto('/brands');
      await page.waitForURL(/\/login\?next=%2Fbrands/);
      await page.getByLabel('Email').fill(first.email);
      await page.getByLabel('Password').fill(first.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('list', { name: 'Brands' }).getByRole('link', { name: 'Northwind Coffee' }).waitFor();
      await screenshot(page, 'brands');
      await expectAccessible(page, 'brands');
    });
    assert.deepEqual(pageErrors, []);
  });

  test('on a phone the navigation folds into a menu button', async () => {
    await asPerson('phone', target(), PHONE, pageErrors, async (page) => {
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
      await expectAccessible(page, 'phone menu open');
      // The open menu is as tall as its links, not the page; Escape closes it and focus goes back.
      const navHeight = (await nav.boundingBox())!.height;
      assert.ok(navHeight < 400, `the open menu is ${navHeight}px tall`);
      await nav.getByRole('link', { name: 'Brands' }).focus();
      await page.keyboard.press('Escape');
      assert.equal(await menu.getAttribute('aria-expanded'), 'false');
      assert.equal(await nav.isVisible(), false);
      assert.equal(await page.evaluate<string>('document.activeElement.textContent'), 'Menu');
      await page.keyboard.press('Enter');
      assert.equal(await menu.getAttribute('aria-expanded'), 'true');
      await nav.getByRole('link', { name: 'Campaigns' }).click();
      await page.getByRole('link', { name: 'Spring single origins' }).waitFor();
      assert.equal(await nav.isVisible(), false, 'the menu closes after choosing a page');
      await screenshot(page, 'phone-campaigns');
      await expectAccessible(page, 'phone-campaigns');
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px on a phone`);
    });
    assert.deepEqual(pageErrors, []);
  });

  test('a user of another workspace sees none of it', async () => {
    await asPerson('other-tenant', target(), LAPTOP, pageErrors, async (page) => {
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
      await expectAccessible(page, 'brand not found');

      await page.goto(`/campaigns/${created.campaignId}`);
      await page.getByRole('alert').waitFor();
      assert.equal(await page.getByText('Spring single origins').count(), 0);

      await page.goto('/campaigns');
      await page.getByRole('region', { name: 'Create a brand first' }).waitFor();
      await expectAccessible(page, 'campaigns without a brand');
      await page.goto('/usage');
      assert.equal(await page.getByTestId('credits-used').locator('strong').textContent(), '0');
      await page.getByText('No usage yet this period').waitFor();
      const logo = await page.evaluate(async (id) => (await fetch(`/brands/${id}/logo`)).status, created.brandId);
      assert.notEqual(logo, 200);
    });
    assert.deepEqual(pageErrors, []);
  });
});
