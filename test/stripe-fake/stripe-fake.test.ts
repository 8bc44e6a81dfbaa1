import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Stripe from 'stripe';
import { StripeFake } from './stripe-fake';

describe('stripe-fake', () => {
  const fake = new StripeFake({ secretKey: 'sk_test_fake', seed: 7 });
  let stripe: Stripe;
  before(async () => {
    const { host, port, protocol } = await fake.start();
    stripe = new Stripe('sk_test_fake', { host, port, protocol, timeout: 200, maxNetworkRetries: 0 });
  });
  after(() => fake.stop());

  test('signs webhooks the way the real SDK verifies them', () => {
    const body = JSON.stringify({ id: 'evt_1', object: 'event', type: 'invoice.paid', data: { object: {} } });
    const event = stripe.webhooks.constructEvent(body, fake.sign(body), fake.webhookSecret);
    assert.equal(event.id, 'evt_1');
    assert.throws(() => stripe.webhooks.constructEvent(body + ' ', fake.sign(body), fake.webhookSecret));
  });

  test('refuses a wrong key', async () => {
    const { port } = new URL(fake.url);
    const wrong = new Stripe('sk_test_other', { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0 });
    await assert.rejects(wrong.customers.create({}), (err: Stripe.errors.StripeError) => err.statusCode === 401);
  });

  test('counts a meter event identifier once, however often it is sent', async () => {
    const session = await stripe.v2.billing.meterEventSession.create();
    const events = [{ event_name: 'm', identifier: 'id-1', payload: { stripe_customer_id: 'cus_a', value: '4' } }];
    await stripe.v2.billing.meterEventStream.create({ events }, { apiKey: session.authentication_token });
    await stripe.v2.billing.meterEventStream.create({ events }, { apiKey: session.authentication_token });
    await stripe.billing.meterEvents.create({ event_name: 'm', identifier: 'id-1', payload: { stripe_customer_id: 'cus_a', value: '4' } });
    assert.equal(fake.meterEvents.size, 1);
    assert.equal(fake.duplicateMeterEvents, 2);
    assert.equal(fake.meteredValue('cus_a'), 4);
    await assert.rejects(
      stripe.v2.billing.meterEventStream.create({ events }, { apiKey: 'mes_unknown' }),
      (err: Error) => err instanceof Stripe.errors.TemporarySessionExpiredError,
    );
  });

  test('answers 500s and times out when told to', async () => {
    fake.setFaults({ failRate: 1 });
    await assert.rejects(stripe.customers.create({}), (err: Stripe.errors.StripeError) => err.statusCode === 500);
    fake.setFaults({ timeoutRate: 1 });
    await assert.rejects(stripe.customers.create({}), (err: Error) => err instanceof Stripe.errors.StripeConnectionError);
    fake.setFaults({});
    assert.ok(fake.stats.failed500 >= 1 && fake.stats.timedOut >= 1);
  });

  test('replays a POST by idempotency key instead of doing it twice', async () => {
    const before = fake.customers.size;
    const a = await stripe.customers.create({ name: 'A' }, { idempotencyKey: 'same' });
    const b = await stripe.customers.create({ name: 'A' }, { idempotencyKey: 'same' });
    assert.equal(a.id, b.id);
    assert.equal(fake.customers.size, before + 1);
  });
});
