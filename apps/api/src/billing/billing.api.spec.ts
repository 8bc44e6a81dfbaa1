import assert from 'node:assert/strict';
import pg from 'pg';
import { after, before, describe, test } from 'node:test';
import { StripeFake } from '../../../../test/stripe-fake/stripe-fake';
import { startApp, type TestApp } from '../../../../test/support/app';
import { fails, ok, signUp } from '../../../../test/support/graphql';
import { createStripeClient, setUpStripe } from '@brandwright/billing';

const BILLING = `{ billing { plan { id includedCredits } creditLimit creditsLeft creditsUsed spendCapCents paymentRequired subscriptionStatus } }`;

describe('billing over GraphQL and POST /webhooks/stripe', () => {
  const fake = new StripeFake({ secretKey: 'sk_test_api' });
  let api: TestApp;
  before(async () => {
    const { host, port, protocol } = await fake.start();
    await setUpStripe(createStripeClient({ secretKey: 'sk_test_api', host, port, protocol }));
    api = await startApp({
      STRIPE_SECRET_KEY: 'sk_test_api',
      STRIPE_WEBHOOK_SECRET: fake.webhookSecret,
      STRIPE_API_HOST: host,
      STRIPE_API_PORT: String(port),
      STRIPE_API_PROTOCOL: protocol,
      STRIPE_TIMEOUT_MS: '2000',
    });
    fake.webhookUrl = `${api.url}/webhooks/stripe`;
  });
  after(async () => {
    await api.close();
    await fake.stop();
  });

  test('a new workspace is on FREE with its credits; plans and usage read', async () => {
    const user = await signUp(api.url, 'Biller');
    const data = await ok(
      api.url,
      `${BILLING.slice(0, -1)} plans { id } usage { totalCredits byMeter { meter } byDay { day } } billingAlerts { id } }`,
      {},
      user.token,
    );
    assert.equal(data.billing.plan.id, 'FREE');
    assert.equal(data.billing.creditsLeft, data.billing.plan.includedCredits);
    assert.deepEqual(
      data.plans.map((p: { id: string }) => p.id),
      ['FREE', 'PRO', 'AGENCY'],
    );
    assert.equal(data.usage.totalCredits, 0);
  });

  test('checkout → Stripe webhooks through the real endpoint → PRO, with an invoice', async () => {
    const user = await signUp(api.url, 'Upgrader');
    const { createCheckoutSession } = await ok(api.url, `mutation { createCheckoutSession(plan: PRO) { url } }`, {}, user.token);
    // The customer pays: the fake completes the session, redirects, and delivers the webhooks.
    const paid = await fetch(createCheckoutSession.url, { redirect: 'manual' });
    assert.equal(paid.status, 303);
    assert.ok(fake.deliveries.length >= 3 && fake.deliveries.every((d) => d.status === 200), JSON.stringify(fake.deliveries));
    const data = await ok(api.url, `${BILLING.slice(0, -1)} invoices { status amountPaidCents } }`, {}, user.token);
    assert.equal(data.billing.plan.id, 'PRO');
    assert.equal(data.billing.subscriptionStatus, 'active');
    assert.equal(data.billing.creditLimit, null, 'no spend cap: no limit');
    assert.equal(data.invoices.length, 1);

    const capped = await ok(api.url, `mutation { setSpendCap(spendCapCents: 500) { creditLimit spendCapCents } }`, {}, user.token);
    assert.deepEqual(capped.setSpendCap, { creditLimit: 5_500, spendCapCents: 500 });
    const portal = await ok(api.url, `mutation { createBillingPortalSession { url } }`, {}, user.token);
    assert.match(portal.createBillingPortalSession.url, /_fake\/portal\//);
  });

  test('a bad signature is answered 400 and changes nothing', async () => {
    const body = JSON.stringify({
      id: 'evt_forged',
      object: 'event',
      type: 'invoice.payment_failed',
      created: Math.floor(Date.now() / 1000),
      data: { object: { customer: 'cus_x' } },
    });
    const res = await fetch(`${api.url}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': fake.sign(body, undefined, 'whsec_wrong') },
      body,
    });
    assert.equal(res.status, 400);
    const client = new pg.Client({ connectionString: api.database.url });
    await client.connect();
    const { rows } = await client.query(`SELECT count(*)::int AS count FROM stripe_webhook_events`);
    await client.end();
    assert.equal(rows[0].count, 3, 'only the three events of the earlier checkout');
  });

  test('bad input is BAD_USER_INPUT naming the field', async () => {
    const user = await signUp(api.url, 'Capper');
    const error = await fails('BAD_USER_INPUT', api.url, `mutation { setSpendCap(spendCapCents: -1) { spendCapCents } }`, {}, user.token);
    assert.equal(error.extensions?.field, 'spendCapCents');
    await fails('BAD_USER_INPUT', api.url, `mutation { createCheckoutSession(plan: FREE) { url } }`, {}, user.token);
  });
});
