import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { createStripeClient, setUpStripe } from '@brandwright/billing';
import { startApp, type TestApp } from '../support/app';
import { buildTestModel, startWorker, waitFor, type WorkerProcess } from '../jobs/support';
import { StripeFake } from '../stripe-fake/stripe-fake';
import { buildDashboard } from './support/dashboard-build';
import { LAPTOP, asPerson, screenshot } from './support/browser';
import { createFirstBrand, fillSignUp, newPerson, openFromNav, signUp } from './support/people';
import { expectAccessible } from './support/axe';

/** A POST the client-webhook receiver got: what a customer's server would see. */
interface ReceivedHook {
  headers: IncomingHttpHeaders;
  body: string;
}

/** The client's own server, which Brandwright's webhooks call (the api allows private targets in this test). */
async function startHookReceiver(): Promise<{ server: Server; url: string; received: ReceivedHook[] }> {
  const received: ReceivedHook[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST') received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/brandwright-hooks`, received };
}

/**
 * The dashboard's other screens in a real browser against the real api, worker, PostgreSQL, Redis
 * and the Stripe fake: "Try this voice", client webhooks and their delivery log, an invitation
 * accepted through its link by someone who had no account yet, the workspace switcher, the spend
 * cap, and Upgrade/Portal through Stripe's (fake) hosted pages.
 */
describe('dashboard in a browser: voice trial, webhooks, invitations, workspaces, billing', () => {
  const PUBLIC_URL = 'http://brandwright.test:3000';
  const target = () => ({ publicUrl: PUBLIC_URL, serverUrl: app.url });
  const pageErrors: string[] = [];
  const owner = newPerson('Ada Owner');
  const invited = newPerson('Bo Invited', 'another good password');
  let app: TestApp;
  let worker: WorkerProcess;
  let build: { dir: string; remove(): void };
  let modelDir: string;
  let stripe: StripeFake;
  let hooks: Awaited<ReturnType<typeof startHookReceiver>>;
  let inviteLink = '';

  before(async () => {
    build = buildDashboard();
    modelDir = buildTestModel();
    hooks = await startHookReceiver();
    stripe = new StripeFake({ secretKey: 'sk_test_dashboard' });
    const address = await stripe.start();
    await setUpStripe(
      createStripeClient({
        secretKey: 'sk_test_dashboard',
        host: address.host,
        port: address.port,
        protocol: 'http',
        timeoutMs: 5_000,
        maxNetworkRetries: 0,
      }),
    );
    const env = {
      MODEL_DIR: modelDir,
      WORKER_QUEUES: 'generate-text,generate-image,webhooks',
      DASHBOARD_DIR: build.dir,
      PUBLIC_URL,
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      STRIPE_SECRET_KEY: 'sk_test_dashboard',
      STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
      STRIPE_API_HOST: address.host,
      STRIPE_API_PORT: String(address.port),
      STRIPE_API_PROTOCOL: 'http',
      STRIPE_MAX_NETWORK_RETRIES: '0',
    };
    app = await startApp(env);
    stripe.webhookUrl = `${app.url}/webhooks/stripe`;
    worker = await startWorker(app.database, env);
  });

  after(async () => {
    await worker?.stop('SIGKILL');
    await app?.close();
    await stripe?.stop();
    hooks?.server.closeAllConnections();
    await new Promise<void>((resolve) => (hooks ? hooks.server.close(() => resolve()) : resolve()));
    if (modelDir) rmSync(modelDir, { recursive: true, force: true });
    build?.remove();
  });

  test('a webhook endpoint hears a voice trial finish; its secret signs the POST; the log shows it; it can be deleted', async () => {
    await asPerson('more-owner', target(), LAPTOP, pageErrors, async (page) => {
      await signUp(page, owner, 'Ada Agency');
      const brandId = await createFirstBrand(page, 'Northwind Coffee', 'Small-batch coffee roasted to order and shipped the same day.');

      // An endpoint first, so the trial's completion is delivered to it.
      await openFromNav(page, 'Developers');
      await page.getByRole('region', { name: 'No webhook endpoints' }).waitFor();
      await expectAccessible(page, 'no webhook endpoints');
      await page.getByLabel('Endpoint URL').fill(hooks.url);
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      const secret = (await page.getByLabel('Webhook signing secret').textContent()) ?? '';
      assert.ok(secret.length >= 16, `a signing secret is shown (${secret.length} characters)`);
      const endpoints = page.getByRole('list', { name: 'Webhook endpoints' });
      await endpoints.locator('code', { hasText: hooks.url }).waitFor();
      assert.match((await endpoints.getByRole('listitem').first().textContent()) ?? '', /job_completed, job_failed/);
      assert.equal(await page.getByRole('region', { name: 'No webhook endpoints' }).count(), 0);
      // Shown once: a reload keeps the endpoint and forgets the secret.
      await page.reload();
      await endpoints.locator('code', { hasText: hooks.url }).waitFor();
      assert.equal(await page.getByLabel('Webhook signing secret').count(), 0);
      assert.equal(await page.getByText(secret).count(), 0);

      // "Try this voice" on the brand: one short variant with its voice report.
      await page.goto(`/brands/${brandId}`);
      await page.getByRole('heading', { name: 'Try this voice', level: 2 }).waitFor();
      const trial = page.getByRole('form', { name: 'Try this voice' });
      await trial.getByLabel('Channel').selectOption('META_HEADLINE');
      await trial.getByLabel('What to write about').fill('Three new single-origin coffees, 20% off the first bag.');
      // Every live snapshot of the streaming trial, with what its counter said then.
      await page.evaluate(`(() => {
        window.__trial = [];
        new MutationObserver(() => {
          const el = document.querySelector('[aria-label="Voice trial"]');
          if (el) window.__trial.push([el.querySelector('.variant-text').textContent, el.querySelector('.counter').textContent]);
        }).observe(document.body, { subtree: true, childList: true, characterData: true });
      })()`);
      await trial.getByRole('button', { name: 'Try it' }).click();
      const result = page.getByLabel('Voice trial result');
      await result.waitFor({ timeout: 60_000 });
      const text = (await result.locator('.variant-text').textContent()) ?? '';
      assert.ok(text.length > 0, 'the trial wrote something');
      const counter = (await result.locator('.counter').textContent()) ?? '';
      assert.match(counter, /^\d+\/40$/);
      // Counted as the engine counts against the limit (UTF-16 units), live and once done alike.
      assert.equal(Number(counter.split('/')[0]), text.length, `the counter counts the text shown: ${JSON.stringify(text)}`);
      const live = await page.evaluate<Array<[string, string]>>('window.__trial');
      assert.ok(
        live.some(([t]) => t.length > 0),
        'the trial streamed into the page',
      );
      for (const [t, c] of live) assert.equal(c, `${t.length}/40`, `the live counter for ${JSON.stringify(t)}`);
      await result.getByText(/^Voice \d+\/100$/).waitFor();
      await trial.getByRole('button', { name: 'Try it' }).waitFor({ state: 'visible' });
      assert.equal(await trial.getByRole('button', { name: 'Try it' }).isEnabled(), true, 'another trial can start once this one ended');
      await screenshot(page, 'voice-trial');
      await expectAccessible(page, 'voice-trial');

      // The client's server got job.completed, signed with the secret shown once.
      const hook = await waitFor(
        async () => hooks.received.find((h) => JSON.parse(h.body).type === 'job.completed'),
        'the job.completed webhook',
        30_000,
      );
      const signature = String(hook.headers['brandwright-signature'] ?? '');
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature) ?? [];
      assert.ok(t && v1, `a Brandwright-Signature header (${signature})`);
      assert.equal(
        createHmac('sha256', secret).update(`${t}.${hook.body}`).digest('hex'),
        v1,
        'the signature verifies with the secret the page showed',
      );
      const payload = JSON.parse(hook.body) as { data: { job: { status: string } } };
      assert.equal(payload.data.job.status, 'SUCCEEDED');

      // The delivery log says so.
      await openFromNav(page, 'Developers');
      const log = page.getByRole('table', { name: 'Webhook deliveries' });
      await page.getByRole('button', { name: 'Refresh log' }).click();
      await log.waitFor();
      const row = log.getByRole('row').filter({ hasText: 'job_completed' });
      await row.getByText('delivered').waitFor();
      await row.getByText('HTTP 200').waitFor();
      assert.equal(await row.getByRole('cell').nth(3).textContent(), '1', 'delivered on the first attempt');
      await screenshot(page, 'webhooks');
      await expectAccessible(page, 'webhooks');

      // Deleted after a confirmation, the endpoint is gone (and stays gone).
      page.once('dialog', (d) => void d.accept());
      await endpoints.getByRole('button', { name: `Delete ${hooks.url}` }).click();
      await page.getByRole('region', { name: 'No webhook endpoints' }).waitFor();
      await page.reload();
      await page.getByRole('region', { name: 'No webhook endpoints' }).waitFor();
      assert.equal(await page.getByRole('list', { name: 'Webhook endpoints' }).count(), 0);

      // An invitation for the next test, as an editor.
      await openFromNav(page, 'Team');
      await page.getByRole('form', { name: 'Invite a member' }).getByLabel('Email').fill(invited.email);
      await page.getByLabel('Role', { exact: true }).selectOption('EDITOR');
      await page.getByRole('button', { name: 'Send invitation' }).click();
      inviteLink = (await page.locator('.notice.success code').textContent()) ?? '';
      assert.match(inviteLink, /\/accept-invitation\?token=/);
    });
    assert.deepEqual(pageErrors, []);
  });

  test('the invitation link signs a newcomer up, joins them, and the switcher moves between their workspaces', async () => {
    assert.ok(inviteLink, 'the first test made an invitation');
    await asPerson('more-invited', target(), LAPTOP, pageErrors, async (page) => {
      // Signed out, the link offers sign-up and comes back to itself.
      await page.goto(inviteLink.replace(/^https?:\/\/[^/]+/, ''));
      await page.getByRole('heading', { name: 'Join a workspace', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'Sign up' }).click();
      await page.getByRole('heading', { name: 'Create your Brandwright account' }).waitFor();
      await fillSignUp(page, invited, 'Bo Studio');
      await page.getByRole('button', { name: 'Accept invitation' }).waitFor();
      assert.match(page.url(), /\/accept-invitation\?token=/);
      await page.getByText(`Accept the invitation sent to ${invited.email}`).waitFor();
      await screenshot(page, 'accept-invitation');
      await expectAccessible(page, 'accept-invitation');
      await page.getByRole('button', { name: 'Accept invitation' }).click();

      // Now in the inviter's workspace: its brand, and the switcher says where.
      await page.getByRole('list', { name: 'Brands' }).getByRole('link', { name: 'Northwind Coffee' }).waitFor();
      const switcher = page.getByRole('combobox', { name: 'Workspace' });
      assert.equal(await switcher.locator('option:checked').textContent(), 'Ada Agency');
      assert.deepEqual((await switcher.locator('option').allTextContents()).sort(), ['Ada Agency', 'Bo Studio']);

      // The invitation is spent: the link again says so in words.
      await page.goto(inviteLink.replace(/^https?:\/\/[^/]+/, ''));
      await page.getByRole('button', { name: 'Accept invitation' }).click();
      await page.getByRole('alert').waitFor();
      await expectAccessible(page, 'invitation used twice');

      // Their own workspace has its own brands and none of the other's.
      await page.goto('/brands');
      await page.getByRole('list', { name: 'Brands' }).getByRole('link', { name: 'Northwind Coffee' }).waitFor();
      await switcher.selectOption({ label: 'Bo Studio' });
      await page.getByRole('region', { name: 'No brands yet' }).waitFor();
      assert.equal(await switcher.locator('option:checked').textContent(), 'Bo Studio');
      assert.equal(await page.getByText('Northwind Coffee').count(), 0);
      await createFirstBrand(page, 'Bo Bakery', 'Sourdough baked overnight in small batches.');
      await openFromNav(page, 'Brands');
      await page.getByRole('list', { name: 'Brands' }).getByRole('link', { name: 'Bo Bakery' }).waitFor();

      // …and back: the inviter's workspace again, without Bo's brand.
      await switcher.selectOption({ label: 'Ada Agency' });
      await page.getByRole('list', { name: 'Brands' }).getByRole('link', { name: 'Northwind Coffee' }).waitFor();
      assert.equal(await page.getByText('Bo Bakery').count(), 0);
      // The choice survives a reload (the refresh cookie carries the workspace).
      await page.reload();
      await page.getByRole('list', { name: 'Brands' }).getByRole('link', { name: 'Northwind Coffee' }).waitFor();
      assert.equal(await switcher.locator('option:checked').textContent(), 'Ada Agency');
      await screenshot(page, 'workspace-switcher');
      await expectAccessible(page, 'workspace-switcher');
    });
    assert.deepEqual(pageErrors, []);
  });

  test('usage & billing: the spend cap is saved; Upgrade goes through Checkout and the plan becomes Pro; the portal opens', async () => {
    await asPerson('more-billing', target(), LAPTOP, pageErrors, async (page) => {
      await page.goto('/login');
      await page.getByLabel('Email').fill(owner.email);
      await page.getByLabel('Password').fill(owner.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('heading', { name: 'Brands', level: 1 }).waitFor();
      await openFromNav(page, 'Usage & billing');
      const plan = page.getByLabel('This billing period').locator('.stat').first().locator('strong');
      assert.equal(await plan.textContent(), 'Free');

      // The spend cap is stored: a reload shows it.
      const cap = page.getByLabel('Most overage spend a period (USD)');
      await cap.fill('25');
      await page.getByRole('button', { name: 'Save cap' }).click();
      await page.getByRole('status').filter({ hasText: 'Spend cap saved.' }).waitFor();
      await page.reload();
      await page.getByRole('heading', { name: 'Spend cap', level: 2 }).waitFor();
      assert.equal(await cap.inputValue(), '25');

      // Upgrade: Stripe Checkout (the fake's hosted page completes the payment and returns).
      const checkoutUrl = new RegExp(`^${stripe.url.replace(/[.]/g, '\\.')}/_fake/checkout/cs_`);
      const [checkout] = await Promise.all([
        page.waitForRequest((r) => checkoutUrl.test(r.url())),
        page.getByRole('button', { name: 'Upgrade to Pro' }).click(),
      ]);
      assert.match(checkout.url(), checkoutUrl);
      // Stripe returns to PUBLIC_URL/billing, which is the usage page.
      await page.waitForURL(`${PUBLIC_URL}/usage?checkout=success`);
      await page.getByRole('heading', { name: 'Usage & billing', level: 1 }).waitFor();
      await page.getByRole('status').filter({ hasText: 'Payment received' }).waitFor();
      assert.equal(stripe.subscriptions.size, 1, 'Checkout made a subscription');
      await page.reload();
      await page.getByRole('heading', { name: 'Usage & billing', level: 1 }).waitFor();
      await page.getByLabel('This billing period').waitFor();
      assert.equal(await plan.textContent(), 'Pro');
      assert.equal(await page.getByRole('list', { name: 'Plans' }).locator('[aria-current=true] h3').textContent(), 'Pro Current');
      assert.equal(await page.getByRole('button', { name: 'Upgrade to Pro' }).count(), 0);
      await screenshot(page, 'billing-pro');
      await expectAccessible(page, 'billing-pro');

      // The Customer Portal opens Stripe's (fake) portal page.
      await page.getByRole('button', { name: 'Manage payment and subscription (Stripe portal)' }).click();
      await page.getByRole('heading', { name: 'Stripe fake: customer portal' }).waitFor();
      assert.ok(page.url().startsWith(`${stripe.url}/_fake/portal/`));
    });
    assert.deepEqual(pageErrors, []);
  });
});
