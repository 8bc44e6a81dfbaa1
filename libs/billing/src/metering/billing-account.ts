import type { EntityManager } from 'typeorm';
import { type Plan, PlanId, planById } from '../plans/plans';

export interface BillingAccount {
  workspaceId: string;
  plan: PlanId;
  stripeCustomerId: string | null;
  stripeSubscriptionId: string | null;
  subscriptionStatus: string | null;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  spendCapCents: number | null;
  paymentFailedAt: Date | null;
}

export interface BillingPeriod {
  start: Date;
  end: Date;
}

interface AccountRow {
  workspace_id: string;
  plan: PlanId;
  stripe_customer_id: string | null;
  stripe_subscription_id: string | null;
  subscription_status: string | null;
  current_period_start: Date | null;
  current_period_end: Date | null;
  spend_cap_cents: string | null;
  payment_failed_at: Date | null;
}

function fromRow(r: AccountRow): BillingAccount {
  return {
    workspaceId: r.workspace_id,
    plan: r.plan,
    stripeCustomerId: r.stripe_customer_id,
    stripeSubscriptionId: r.stripe_subscription_id,
    subscriptionStatus: r.subscription_status,
    currentPeriodStart: r.current_period_start,
    currentPeriodEnd: r.current_period_end,
    spendCapCents: r.spend_cap_cents === null ? null : Number(r.spend_cap_cents),
    paymentFailedAt: r.payment_failed_at,
  };
}

/**
 * The workspace's billing account, created on FREE the first time it is needed. `lock` takes
 * the row FOR UPDATE: every reservation and settlement of a workspace queues on this one row,
 * so two jobs racing for the last credits can't both win.
 */
export async function loadBillingAccount(
  db: EntityManager,
  workspaceId: string,
  options: { lock?: boolean } = {},
): Promise<BillingAccount> {
  await db.query(`INSERT INTO billing_accounts (workspace_id) VALUES ($1) ON CONFLICT (workspace_id) DO NOTHING`, [workspaceId]);
  const rows: AccountRow[] = await db.query(`SELECT * FROM billing_accounts WHERE workspace_id = $1${options.lock ? ' FOR UPDATE' : ''}`, [
    workspaceId,
  ]);
  return fromRow(rows[0]);
}

/** Statuses in which Stripe is still owed money: generation stops until it is paid. */
const UNPAID_STATUSES = new Set(['past_due', 'unpaid']);

export function paymentRequired(account: BillingAccount): boolean {
  return account.paymentFailedAt !== null || UNPAID_STATUSES.has(account.subscriptionStatus ?? '');
}

/** The subscription's period on a paid plan; the calendar month (UTC) otherwise. */
export function billingPeriod(account: BillingAccount, now = new Date()): BillingPeriod {
  const { currentPeriodStart: start, currentPeriodEnd: end } = account;
  if (account.plan !== PlanId.FREE && start && end && start <= now && now < end) return { start, end };
  return {
    start: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)),
    end: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)),
  };
}

/**
 * Most credits the workspace may use this period: the included credits on FREE; on paid plans
 * the included credits plus what the spend cap buys in overage, or no limit without a cap.
 */
export function creditLimit(plan: Plan, spendCapCents: number | null): number {
  if (!plan.overageAllowed) return plan.includedCredits;
  if (spendCapCents === null) return Number.POSITIVE_INFINITY;
  return plan.includedCredits + Math.floor(spendCapCents / plan.overageCentsPerCredit);
}

export function planOf(account: BillingAccount): Plan {
  return planById(account.plan);
}
