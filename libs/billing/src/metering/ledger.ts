import type { EntityManager } from 'typeorm';
import { BillingException, BillingExceptionCode } from '../billing.exception';
import { type Meter, assertMeter, assertQuantity, creditsFor } from '../plans/meters';
import { PlanId } from '../plans/plans';
import { type BillingAccount, billingPeriod, loadBillingAccount } from './billing-account';
import { type BillingAlert, raiseCreditAlerts } from './billing-alerts';
import { type CreditStanding, creditStandingOf } from './credit-standing';
import { updateReturning } from './sql';

export type UsageEstimate = Partial<Record<Meter, number>>;

export interface ReserveCreditsInput {
  workspaceId: string;
  jobId: string;
  meter: Meter | string;
  estimatedQuantity: number;
}

export interface CreditReservation {
  id: string;
  workspaceId: string;
  jobId: string;
  meter: Meter;
  estimatedQuantity: number;
  credits: number;
  status: 'OPEN' | 'SETTLED' | 'RELEASED';
}

export interface SettleUsageInput {
  jobId: string;
  /** What the job really used, per meter (tokens, images). Meters left out count as 0. */
  actuals: UsageEstimate;
}

export interface UsageEvent {
  id: string;
  workspaceId: string;
  jobId: string;
  meter: Meter;
  quantity: number;
  credits: number;
  occurredAt: Date;
}

export interface SettleResult {
  /** false when the job had already been settled: nothing was recorded this time. */
  settled: boolean;
  events: UsageEvent[];
  alerts: BillingAlert[];
}

interface ReservationRow {
  id: string;
  workspace_id: string;
  job_id: string;
  meter: Meter;
  estimated_quantity: string;
  credits: string;
  status: CreditReservation['status'];
}

const reservationFromRow = (r: ReservationRow): CreditReservation => ({
  id: r.id,
  workspaceId: r.workspace_id,
  jobId: r.job_id,
  meter: r.meter,
  estimatedQuantity: Number(r.estimated_quantity),
  credits: Number(r.credits),
  status: r.status,
});

/** Refuses generation for a workspace that owes money or would pass its limit with `credits` more. */
function assertStanding(account: BillingAccount, standing: CreditStanding, credits: number): void {
  if (standing.paymentRequired) {
    throw new BillingException(
      BillingExceptionCode.PAYMENT_FAILED,
      'The last payment failed: update the payment method in the billing portal to keep generating.',
      { subscriptionStatus: account.subscriptionStatus },
    );
  }
  if (standing.creditsLeft === null || credits <= standing.creditsLeft) return;
  const capped = standing.plan.overageAllowed;
  throw new BillingException(
    capped ? BillingExceptionCode.SPEND_CAP_REACHED : BillingExceptionCode.CREDITS_EXHAUSTED,
    capped
      ? `This job needs ${credits} credits but the spend cap leaves ${standing.creditsLeft} this period; raise the cap to continue.`
      : `This job needs ${credits} credits but ${standing.creditsLeft} of the ${standing.plan.name} plan's ${standing.creditLimit} are left this period; upgrade to continue.`,
    {
      creditsNeeded: credits,
      creditsLeft: standing.creditsLeft,
      creditLimit: standing.creditLimit,
      periodEnd: standing.period.end.toISOString(),
    },
  );
}

function checkedEstimate(estimate: UsageEstimate): Array<[Meter, number]> {
  return Object.entries(estimate).map(([meter, quantity]) => [assertMeter(meter), assertQuantity(quantity ?? 0, `estimate.${meter}`)]);
}

/**
 * Throws QUOTA_EXCEEDED or PAYMENT_REQUIRED (as a BillingException) when the workspace may not
 * start work of this size now; returns its standing otherwise. Holds nothing: use it to refuse
 * early (input validation); `reserveCredits` is what actually claims the credits.
 */
export async function assertCanGenerate(db: EntityManager, workspaceId: string, estimate: UsageEstimate = {}): Promise<CreditStanding> {
  const credits = checkedEstimate(estimate).reduce((sum, [meter, q]) => sum + creditsFor(meter, q), 0);
  const account = await loadBillingAccount(db, workspaceId);
  const standing = await creditStandingOf(db, account);
  assertStanding(account, standing, credits);
  return standing;
}

/**
 * Holds credits for a job's estimated use of several meters, all or nothing, under the
 * workspace's account row lock. Idempotent per (job, meter): reserving again returns the first
 * reservation. Call it in the transaction that creates the job row.
 */
export async function reserveJobCredits(
  db: EntityManager,
  input: { workspaceId: string; jobId: string; estimate: UsageEstimate },
): Promise<CreditReservation[]> {
  const wanted = checkedEstimate(input.estimate);
  const account = await loadBillingAccount(db, input.workspaceId, { lock: true });
  const existing: ReservationRow[] = await db.query(`SELECT * FROM credit_reservations WHERE job_id = $1`, [input.jobId]);
  const held = new Map(existing.map((r) => [r.meter, reservationFromRow(r)]));
  const missing = wanted.filter(([meter]) => !held.has(meter));
  if (missing.length > 0) {
    const credits = missing.reduce((sum, [meter, q]) => sum + creditsFor(meter, q), 0);
    assertStanding(account, await creditStandingOf(db, account), credits);
    for (const [meter, quantity] of missing) {
      const rows: ReservationRow[] = await db.query(
        `INSERT INTO credit_reservations (workspace_id, job_id, meter, estimated_quantity, credits)
         VALUES ($1, $2, $3, $4, $5) RETURNING *`,
        [input.workspaceId, input.jobId, meter, quantity, creditsFor(meter, quantity)],
      );
      held.set(meter, reservationFromRow(rows[0]));
    }
  }
  return wanted.map(([meter]) => held.get(meter)!);
}

/** Holds credits for one meter of a job (see reserveJobCredits). */
export async function reserveCredits(db: EntityManager, input: ReserveCreditsInput): Promise<CreditReservation> {
  const meter = assertMeter(input.meter);
  const [reservation] = await reserveJobCredits(db, {
    workspaceId: input.workspaceId,
    jobId: input.jobId,
    estimate: { [meter]: input.estimatedQuantity },
  });
  return reservation;
}

/** The workspace of this job: its reservations', else the transaction's own. */
async function workspaceOfJob(db: EntityManager, jobId: string): Promise<string> {
  const [row]: Array<{ workspace_id: string | null }> = await db.query(
    `SELECT COALESCE(
       (SELECT workspace_id FROM credit_reservations WHERE job_id = $1 LIMIT 1),
       NULLIF(current_setting('app.workspace_id', true), '')::uuid) AS workspace_id`,
    [jobId],
  );
  if (!row.workspace_id) {
    throw new BillingException(BillingExceptionCode.NO_BILLING_ACCOUNT, `Job ${jobId} has no reservation and no workspace is set.`);
  }
  return row.workspace_id;
}

/**
 * Records what a finished job really used: one ledger row per meter, and closes its
 * reservations. Exactly once: a second call (a retried job, a duplicate completion) finds the
 * rows already there (UNIQUE(job_id, meter)) and records nothing. Raises 80 % / 100 % alerts.
 */
export async function settleUsage(db: EntityManager, input: SettleUsageInput): Promise<SettleResult> {
  const actuals = checkedEstimate(input.actuals);
  const workspaceId = await workspaceOfJob(db, input.jobId);
  const account = await loadBillingAccount(db, workspaceId, { lock: true });
  const [{ count }]: Array<{ count: string }> = await db.query(`SELECT count(*) FROM usage_events WHERE job_id = $1`, [input.jobId]);
  if (Number(count) > 0) return { settled: false, events: [], alerts: [] };

  // Usage of a paid plan goes to Stripe; FREE usage is never invoiced.
  const reportStatus = account.plan !== PlanId.FREE && account.stripeCustomerId ? 'PENDING' : 'NOT_BILLABLE';
  const events: UsageEvent[] = [];
  for (const [meter, quantity] of actuals) {
    if (quantity === 0) continue;
    const rows: Array<{ id: string; occurred_at: Date }> = await db.query(
      `INSERT INTO usage_events (workspace_id, job_id, meter, quantity, credits, report_status)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (job_id, meter) DO NOTHING RETURNING id, occurred_at`,
      [workspaceId, input.jobId, meter, quantity, creditsFor(meter, quantity), reportStatus],
    );
    if (rows[0]) {
      events.push({
        id: rows[0].id,
        workspaceId,
        jobId: input.jobId,
        meter,
        quantity,
        credits: creditsFor(meter, quantity),
        occurredAt: rows[0].occurred_at,
      });
    }
  }
  await db.query(`UPDATE credit_reservations SET status = 'SETTLED', closed_at = now() WHERE job_id = $1 AND status = 'OPEN'`, [
    input.jobId,
  ]);

  const standing = await creditStandingOf(db, account);
  const alerts =
    standing.creditLimit === null
      ? []
      : await raiseCreditAlerts(db, {
          workspaceId,
          periodStart: billingPeriod(account).start,
          creditsUsed: standing.creditsUsed,
          creditLimit: standing.creditLimit,
        });
  return { settled: true, events, alerts };
}

/** Gives a failed or cancelled job's held credits back. Returns the reservations released. */
export async function releaseCredits(db: EntityManager, input: { jobId: string }): Promise<CreditReservation[]> {
  const rows = await updateReturning<ReservationRow>(
    db,
    `UPDATE credit_reservations SET status = 'RELEASED', closed_at = now() WHERE job_id = $1 AND status = 'OPEN' RETURNING *`,
    [input.jobId],
  );
  return rows.map(reservationFromRow);
}

/** Where the workspace stands this period (plan, used, reserved, left). */
export async function creditStanding(db: EntityManager, workspaceId: string): Promise<CreditStanding> {
  return creditStandingOf(db, await loadBillingAccount(db, workspaceId));
}

/** The names the jobs layer asked for (issue 6): reserve, settle, release, assertCanGenerate. */
export { reserveCredits as reserve, settleUsage as settle, releaseCredits as release };
