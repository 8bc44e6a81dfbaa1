import type { EntityManager } from 'typeorm';
import type { Plan } from '../plans/plans';
import { type BillingAccount, type BillingPeriod, billingPeriod, creditLimit, paymentRequired, planOf } from './billing-account';

/** Open reservations older than this no longer hold credits: their job is assumed lost. */
export const RESERVATION_TTL_HOURS = 24;

/** Where a workspace stands this period: what it used, holds, and may still use. */
export interface CreditStanding {
  workspaceId: string;
  plan: Plan;
  period: BillingPeriod;
  /** Settled credits this period. */
  creditsUsed: number;
  /** Credits held by open reservations (queued or running jobs). */
  creditsReserved: number;
  /** null: no limit (a paid plan without a spend cap). */
  creditLimit: number | null;
  /** null: no limit. Never negative. */
  creditsLeft: number | null;
  /** Settled credits beyond the plan's included ones (billed as overage). */
  overageCredits: number;
  spendCapCents: number | null;
  paymentRequired: boolean;
  subscriptionStatus: string | null;
}

export async function creditStandingOf(db: EntityManager, account: BillingAccount, now = new Date()): Promise<CreditStanding> {
  const plan = planOf(account);
  const period = billingPeriod(account, now);
  const [row]: Array<{ used: string; reserved: string }> = await db.query(
    `SELECT
       (SELECT COALESCE(SUM(credits), 0) FROM usage_events
         WHERE workspace_id = $1 AND occurred_at >= $2 AND occurred_at < $3) AS used,
       (SELECT COALESCE(SUM(credits), 0) FROM credit_reservations
         WHERE workspace_id = $1 AND status = 'OPEN' AND created_at > now() - make_interval(hours => $4)) AS reserved`,
    [account.workspaceId, period.start, period.end, RESERVATION_TTL_HOURS],
  );
  const used = Number(row.used);
  const reserved = Number(row.reserved);
  const limit = creditLimit(plan, account.spendCapCents);
  return {
    workspaceId: account.workspaceId,
    plan,
    period,
    creditsUsed: used,
    creditsReserved: reserved,
    creditLimit: Number.isFinite(limit) ? limit : null,
    creditsLeft: Number.isFinite(limit) ? Math.max(0, limit - used - reserved) : null,
    overageCredits: Math.max(0, used - plan.includedCredits),
    spendCapCents: account.spendCapCents,
    paymentRequired: paymentRequired(account),
    subscriptionStatus: account.subscriptionStatus,
  };
}
