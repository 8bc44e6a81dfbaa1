import type Stripe from 'stripe';
import { CREDITS_METER } from '../plans/plans';
import { type TenantTx, enterWorkspace } from '../tenant-tx';

export interface ReconciliationLine {
  workspaceId: string;
  stripeCustomerId: string;
  /** Credits the ledger marked REPORTED in the window. */
  ledgerCredits: number;
  /** Credits Stripe's meter event summaries count in the window. */
  stripeCredits: number;
  /** stripe − ledger: > 0 Stripe bills more than was used; < 0 usage went unbilled. */
  difference: number;
  /** Credits still PENDING in the window (not yet sent; not a mismatch). */
  pendingCredits: number;
}

export interface ReconciliationReport {
  from: Date;
  to: Date;
  lines: ReconciliationLine[];
  mismatches: ReconciliationLine[];
}

/** Yesterday, UTC: the nightly job's window (whole minutes, as Stripe's summaries require). */
export function yesterdayUtc(now = new Date()): { from: Date; to: Date } {
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  return { from: new Date(to.getTime() - 86_400_000), to };
}

/**
 * Compares, per paying workspace, the credits the ledger reported in [from, to) with Stripe's
 * meter event summaries for the same window, stores one usage_reconciliations row each, and
 * returns the report (the worker logs mismatches). It changes no usage: a mismatch is for a
 * person to look at, since either side could be the wrong one.
 */
export async function reconcileUsage(tx: TenantTx, stripe: Stripe, window: { from: Date; to: Date }): Promise<ReconciliationReport> {
  const meter = (await stripe.billing.meters.list({ status: 'active', limit: 100 })).data.find(
    (m) => m.event_name === CREDITS_METER.eventName,
  );
  if (!meter) throw new Error(`Stripe has no meter "${CREDITS_METER.eventName}": run \`npm run billing:setup-stripe\`.`);

  // Across workspaces only through this function (see the billing migration).
  const ledger = await tx.with(
    { workspaceId: null },
    async (db) =>
      (await db.query(`SELECT * FROM billing_usage_totals($1, $2)`, [window.from, window.to])) as Array<{
        workspace_id: string;
        stripe_customer_id: string;
        reported: string;
        pending: string;
      }>,
  );

  const lines: ReconciliationLine[] = [];
  for (const row of ledger) {
    let stripeCredits = 0;
    for await (const summary of stripe.billing.meters.listEventSummaries(meter.id, {
      customer: row.stripe_customer_id,
      start_time: Math.floor(window.from.getTime() / 1000),
      end_time: Math.floor(window.to.getTime() / 1000),
    })) {
      stripeCredits += summary.aggregated_value;
    }
    const ledgerCredits = Number(row.reported);
    lines.push({
      workspaceId: row.workspace_id,
      stripeCustomerId: row.stripe_customer_id,
      ledgerCredits,
      stripeCredits,
      difference: stripeCredits - ledgerCredits,
      pendingCredits: Number(row.pending),
    });
  }

  await tx.with({ workspaceId: null }, async (db) => {
    for (const line of lines) {
      await enterWorkspace(db, line.workspaceId);
      await db.query(
        `INSERT INTO usage_reconciliations (workspace_id, stripe_customer_id, window_start, window_end, ledger_credits, stripe_credits, difference)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [line.workspaceId, line.stripeCustomerId, window.from, window.to, line.ledgerCredits, line.stripeCredits, line.difference],
      );
    }
  });
  return { ...window, lines, mismatches: lines.filter((l) => l.difference !== 0) };
}
