import Stripe from 'stripe';
import type { EntityManager } from 'typeorm';
import { BillingException, BillingExceptionCode } from '../billing.exception';
import { PlanId, planByLookupKey } from '../plans/plans';
import { type TenantTx, enterWorkspace } from '../tenant-tx';

export type WebhookOutcome =
  | { result: 'applied'; eventId: string; type: string; workspaceId: string }
  | { result: 'duplicate'; eventId: string; type: string }
  | { result: 'ignored'; eventId: string; type: string; why: string };

/** Subscription statuses that keep the subscribed plan (past_due/unpaid also refuse generation). */
const PLAN_HOLDING = new Set(['active', 'trialing', 'past_due', 'unpaid']);

const HANDLED = new Set([
  'checkout.session.completed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'invoice.paid',
  'invoice.payment_failed',
]);

type Apply = (db: EntityManager, workspaceId: string) => Promise<void>;

/**
 * POST /webhooks/stripe, minus HTTP. The signature is checked on the raw body; the event id is
 * stored in the same transaction as its effect, so a redelivery (or two deliveries racing)
 * changes nothing. Out-of-order delivery: subscription events apply the subscription's state as
 * fetched from Stripe now, not the event's snapshot, and an update only lands if it was observed
 * after the one already stored; invoice outcomes apply only if newer (event `created`) than the
 * last one applied.
 */
export class StripeWebhookHandler {
  constructor(
    private readonly tx: TenantTx,
    private readonly stripe: Stripe,
    private readonly webhookSecret: string,
    private readonly toleranceSeconds = 300,
  ) {}

  async handle(rawBody: Buffer | string, signature: string | string[] | undefined): Promise<WebhookOutcome> {
    const event = this.verify(rawBody, signature);
    const base = { eventId: event.id, type: event.type };
    if (!HANDLED.has(event.type)) return { result: 'ignored', ...base, why: 'not an event billing uses' };
    if (await this.seen(event.id)) return { result: 'duplicate', ...base };

    // Ask Stripe before opening the transaction: no database connection waits on the network.
    const plan = await this.plan(event);
    if (!plan) return { result: 'ignored', ...base, why: 'no workspace for this customer' };

    return this.tx.with({ workspaceId: null }, async (db) => {
      const stored = await db.query(
        `INSERT INTO stripe_webhook_events (id, type, stripe_created) VALUES ($1, $2, to_timestamp($3))
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [event.id, event.type, event.created],
      );
      if (stored.length === 0) return { result: 'duplicate' as const, ...base };
      const workspaceId = plan.workspaceId ?? (await this.workspaceOfCustomer(db, plan.customerId));
      if (!workspaceId) return { result: 'ignored' as const, ...base, why: `no workspace has customer ${plan.customerId}` };
      await enterWorkspace(db, workspaceId);
      await db.query(`INSERT INTO billing_accounts (workspace_id) VALUES ($1) ON CONFLICT (workspace_id) DO NOTHING`, [workspaceId]);
      await plan.apply(db, workspaceId);
      return { result: 'applied' as const, ...base, workspaceId };
    });
  }

  private verify(rawBody: Buffer | string, signature: string | string[] | undefined): Stripe.Event {
    if (!signature) {
      throw new BillingException(BillingExceptionCode.INVALID_WEBHOOK_SIGNATURE, 'Stripe-Signature header is missing.');
    }
    let event: Stripe.Event;
    try {
      event = this.stripe.webhooks.constructEvent(rawBody, signature, this.webhookSecret, this.toleranceSeconds);
    } catch (err) {
      throw new BillingException(
        BillingExceptionCode.INVALID_WEBHOOK_SIGNATURE,
        `Stripe-Signature does not match this body: ${(err as Error).message}`,
      );
    }
    // The SDK checks only a signature's age: one dated in the future (a clock far off, or a
    // signature made to be replayed later) passes it. Refuse those beyond the same tolerance.
    const signedAt = signatureTimestamp(signature);
    if (signedAt === null || signedAt > Date.now() / 1000 + this.toleranceSeconds) {
      throw new BillingException(BillingExceptionCode.INVALID_WEBHOOK_SIGNATURE, 'Stripe-Signature is dated in the future.');
    }
    return event;
  }

  private async seen(eventId: string): Promise<boolean> {
    return this.tx.with({ workspaceId: null }, async (db) => {
      const rows = await db.query(`SELECT 1 FROM stripe_webhook_events WHERE id = $1`, [eventId]);
      return rows.length > 0;
    });
  }

  /** What the event will do, with what it needs from Stripe fetched already. */
  private async plan(event: Stripe.Event): Promise<{ workspaceId: string | null; customerId: string; apply: Apply } | null> {
    switch (event.type) {
      case 'checkout.session.completed': {
        const session = event.data.object;
        const customerId = idOf(session.customer);
        const subscriptionId = idOf(session.subscription);
        if (!customerId || !subscriptionId) return null;
        const subscription = await this.stripe.subscriptions.retrieve(subscriptionId);
        const observedAt = new Date();
        return {
          workspaceId: session.client_reference_id ?? session.metadata?.workspace_id ?? null,
          customerId,
          apply: (db, ws) => applySubscription(db, ws, subscription, observedAt),
        };
      }
      case 'customer.subscription.created':
      case 'customer.subscription.updated':
      case 'customer.subscription.deleted': {
        const subscription = await this.stripe.subscriptions.retrieve(event.data.object.id);
        const observedAt = new Date();
        return {
          workspaceId: subscription.metadata?.workspace_id ?? null,
          customerId: idOf(subscription.customer)!,
          apply: (db, ws) => applySubscription(db, ws, subscription, observedAt),
        };
      }
      case 'invoice.paid':
      case 'invoice.payment_failed': {
        const customerId = idOf(event.data.object.customer);
        if (!customerId) return null;
        const failed = event.type === 'invoice.payment_failed';
        return { workspaceId: null, customerId, apply: (db, ws) => applyPaymentOutcome(db, ws, failed, event.created) };
      }
      default:
        return null;
    }
  }

  /** Webhooks arrive with no workspace: find it by customer id (a narrow RLS read, see the migration). */
  private async workspaceOfCustomer(db: EntityManager, customerId: string): Promise<string | null> {
    await db.query(`SELECT set_config('app.stripe_customer_id', $1, true)`, [customerId]);
    const rows: Array<{ workspace_id: string }> = await db.query(
      `SELECT workspace_id FROM billing_accounts WHERE stripe_customer_id = $1`,
      [customerId],
    );
    await db.query(`SELECT set_config('app.stripe_customer_id', '', true)`);
    return rows[0]?.workspace_id ?? null;
  }
}

function idOf(ref: string | { id: string } | null | undefined): string | null {
  if (!ref) return null;
  return typeof ref === 'string' ? ref : ref.id;
}

function planOfSubscription(subscription: Stripe.Subscription): PlanId {
  if (!PLAN_HOLDING.has(subscription.status)) return PlanId.FREE;
  const fromMetadata = subscription.metadata?.plan;
  if (fromMetadata && (Object.values(PlanId) as string[]).includes(fromMetadata)) return fromMetadata as PlanId;
  for (const item of subscription.items.data) {
    const plan = planByLookupKey(item.price.lookup_key);
    if (plan) return plan.id;
  }
  return PlanId.FREE;
}

/**
 * Stores the subscription's current state. Skipped when a later observation is already stored,
 * or when it is the end of an older subscription while the workspace has moved to a new one.
 */
async function applySubscription(
  db: EntityManager,
  workspaceId: string,
  subscription: Stripe.Subscription,
  observedAt: Date,
): Promise<void> {
  const plan = planOfSubscription(subscription);
  const ended = plan === PlanId.FREE;
  const item = subscription.items.data[0];
  await db.query(
    `UPDATE billing_accounts SET
       plan = $3,
       stripe_customer_id = COALESCE(stripe_customer_id, $4),
       stripe_subscription_id = $2,
       subscription_status = $5,
       current_period_start = $6,
       current_period_end = $7,
       subscription_state_at = $8,
       updated_at = now()
     WHERE workspace_id = $1
       AND (subscription_state_at IS NULL OR subscription_state_at <= $8)
       AND NOT ($9 AND stripe_subscription_id IS NOT NULL AND stripe_subscription_id <> $2)`,
    [
      workspaceId,
      subscription.id,
      plan,
      idOf(subscription.customer),
      subscription.status,
      item ? new Date(item.current_period_start * 1000) : null,
      item ? new Date(item.current_period_end * 1000) : null,
      observedAt,
      ended,
    ],
  );
}

/** The newest invoice outcome wins: a failure refuses generation until a later payment succeeds. */
async function applyPaymentOutcome(db: EntityManager, workspaceId: string, failed: boolean, createdUnix: number): Promise<void> {
  await db.query(
    `UPDATE billing_accounts SET
       payment_failed_at = CASE WHEN $2 THEN to_timestamp($3) ELSE NULL END,
       payment_state_at = to_timestamp($3),
       updated_at = now()
     WHERE workspace_id = $1 AND (payment_state_at IS NULL OR payment_state_at <= to_timestamp($3))`,
    [workspaceId, failed, createdUnix],
  );
}

/** The `t=` of a Stripe-Signature header (seconds since the epoch), or null. */
function signatureTimestamp(header: string | string[]): number | null {
  const value = Array.isArray(header) ? header.join(',') : header;
  const t = /(?:^|,)\s*t=(\d+)/.exec(value);
  return t ? Number(t[1]) : null;
}
