import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { BillingException } from '../billing.exception';
import { reserveCredits, settleUsage } from '../metering/ledger';
import { Meter } from '../plans/meters';
import { PLANS, PlanId } from '../plans/plans';
import { type BillingTestKit, startBillingTestKit } from '../../../../test/support/billing-test-kit';
import { BillingGateway } from './billing-gateway';

describe('Stripe webhooks', () => {
  let kit: BillingTestKit;
  let gateway: BillingGateway;
  before(async () => {
    kit = await startBillingTestKit();
    gateway = new BillingGateway(kit.stripe);
  });
  after(() => kit.close());

  const account = async (ws: string) =>
    (await kit.owner.query(`SELECT * FROM billing_accounts WHERE workspace_id = $1`, [ws]))[0] as Record<string, unknown>;
  const reserve = (ws: string) =>
    kit.tx.with({ workspaceId: ws }, (db) =>
      reserveCredits(db, { workspaceId: ws, jobId: randomUUID(), meter: Meter.IMAGE_SMALL, estimatedQuantity: 1 }),
    );

  /** A FREE workspace with all its credits used, then checked out onto PRO. */
  async function subscribedWorkspace(): Promise<{ ws: string; subscriptionId: string }> {
    const ws = await kit.createWorkspace();
    const session = await kit.tx.with({ workspaceId: ws }, (db) =>
      gateway.createCheckoutSession(db, {
        workspaceId: ws,
        planId: PlanId.PRO,
        successUrl: 'http://localhost/ok',
        cancelUrl: 'http://localhost/no',
      }),
    );
    assert.match(session.url, /^http:\/\/127\.0\.0\.1:\d+\/_fake\/checkout\/cs_/);
    const subscription = await kit.fake.completeCheckout(session.id);
    return { ws, subscriptionId: subscription.id };
  }

  test('checkout → subscription active → generation allowed', async () => {
    const ws = await kit.createWorkspace();
    await kit.tx.with({ workspaceId: ws }, (db) =>
      settleUsage(db, { jobId: randomUUID(), actuals: { [Meter.TEXT_PROMPT_TOKENS]: PLANS.FREE.includedCredits * 1000 } }),
    );
    await assert.rejects(reserve(ws), (err: BillingException) => err.clientCode === 'QUOTA_EXCEEDED');

    const session = await kit.tx.with({ workspaceId: ws }, (db) =>
      gateway.createCheckoutSession(db, {
        workspaceId: ws,
        planId: PlanId.PRO,
        successUrl: 'http://localhost/ok',
        cancelUrl: 'http://localhost/no',
      }),
    );
    await kit.fake.completeCheckout(session.id);
    const acc = await account(ws);
    assert.equal(acc.plan, 'PRO');
    assert.equal(acc.subscription_status, 'active');
    assert.ok(acc.current_period_end);
    await reserve(ws);

    const invoices = await kit.tx.with({ workspaceId: ws }, (db) => gateway.listInvoices(db, ws));
    assert.equal(invoices.length, 1);
    assert.equal(invoices[0].status, 'paid');
    assert.equal(invoices[0].amountPaidCents, PLANS.PRO.monthlyFeeCents);
    const portal = await kit.tx.with({ workspaceId: ws }, (db) =>
      gateway.createPortalSession(db, { workspaceId: ws, returnUrl: 'http://localhost/billing' }),
    );
    assert.match(portal.url, /_fake\/portal\//);
  });

  test('the same webhook delivered three times changes state once', async () => {
    const { ws, subscriptionId } = await subscribedWorkspace();
    kit.fake.setFaults({ webhookDeliveries: 3 });
    const deliveriesBefore = kit.fake.deliveries.length;
    await kit.fake.failPayment(subscriptionId);
    kit.fake.setFaults({});
    const failed = kit.fake.deliveries.slice(deliveriesBefore).filter((d) => d.type === 'invoice.payment_failed');
    assert.equal(failed.length, 3);
    assert.ok(failed.every((d) => d.status === 200 && d.eventId === failed[0].eventId));

    const [{ count }] = await kit.owner.query(`SELECT count(*)::int AS count FROM stripe_webhook_events WHERE id = $1`, [
      failed[0].eventId,
    ]);
    assert.equal(count, 1);
    const acc = await account(ws);
    assert.ok(acc.payment_failed_at);
    const stateAt = acc.updated_at;
    // A fourth delivery, later, changes nothing at all.
    const event = kit.fake.events.find((e) => e.id === failed[0].eventId)!;
    assert.equal(await kit.fake.deliver(event), 200);
    assert.deepEqual((await account(ws)).updated_at, stateAt);
  });

  test('a failed payment refuses generation (PAYMENT_REQUIRED) until it is paid', async () => {
    const { ws, subscriptionId } = await subscribedWorkspace();
    await reserve(ws);
    await kit.fake.failPayment(subscriptionId);
    assert.equal((await account(ws)).subscription_status, 'past_due');
    await assert.rejects(reserve(ws), (err: BillingException) => err.clientCode === 'PAYMENT_REQUIRED');
    await kit.fake.payOpenInvoices(subscriptionId);
    const acc = await account(ws);
    assert.equal(acc.payment_failed_at, null);
    assert.equal(acc.subscription_status, 'active');
    await reserve(ws);
  });

  test('a bad or stale signature is refused with 400 and changes nothing', async () => {
    const { ws, subscriptionId } = await subscribedWorkspace();
    const sub = kit.fake.subscriptions.get(subscriptionId)!;
    const event = {
      id: `evt_${randomUUID()}`,
      object: 'event',
      type: 'customer.subscription.deleted',
      created: Math.floor(Date.now() / 1000),
      data: { object: { ...sub, status: 'canceled' } },
    };
    sub.status = 'canceled'; // what a forged "deleted" would claim
    const body = JSON.stringify(event);

    assert.equal(await kit.fake.deliver(event, kit.fake.sign(body, undefined, 'whsec_wrong')), 400);
    assert.equal(
      await kit.fake.deliver(event, kit.fake.sign(body, Math.floor(Date.now() / 1000) - 3600)),
      400,
      'an hour-old signature is stale',
    );
    assert.equal(await kit.fake.deliver(event, 't=1,v1=deadbeef'), 400);
    sub.status = 'active';

    const acc = await account(ws);
    assert.equal(acc.plan, 'PRO');
    const [{ count }] = await kit.owner.query(`SELECT count(*)::int AS count FROM stripe_webhook_events WHERE id = $1`, [event.id]);
    assert.equal(count, 0);
    await assert.rejects(kit.webhooks.handle(body, undefined), (err: BillingException) => err.clientCode === 'BAD_USER_INPUT');
  });

  test('out-of-order events resolve to Stripe’s current state', async () => {
    const { ws, subscriptionId } = await subscribedWorkspace();
    const sub = kit.fake.subscriptions.get(subscriptionId)!;
    // Stripe cancels, then we receive an older "updated (active)" snapshot after the "deleted".
    const stale = structuredClone(sub);
    await kit.fake.cancelSubscription(subscriptionId);
    assert.equal((await account(ws)).plan, 'FREE');
    await kit.fake.emit('customer.subscription.updated', stale);
    const acc = await account(ws);
    assert.equal(acc.plan, 'FREE', 'the late snapshot does not resurrect the subscription');
    assert.equal(acc.subscription_status, 'canceled');

    // An older invoice outcome does not override a newer one.
    await kit.owner.query(
      `UPDATE billing_accounts SET payment_failed_at = NULL, payment_state_at = now() + interval '1 hour' WHERE workspace_id = $1`,
      [ws],
    );
    await kit.fake.emit('invoice.payment_failed', { id: 'in_old', object: 'invoice', customer: sub.customer });
    assert.equal((await account(ws)).payment_failed_at, null);
  });
});
