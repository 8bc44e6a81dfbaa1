import type { EntityManager } from 'typeorm';
import { updateReturning } from './sql';

export enum BillingAlertKind {
  CREDITS_80 = 'CREDITS_80',
  CREDITS_100 = 'CREDITS_100',
}

/**
 * An alert as stored in billing_alerts. settleUsage returns the ones it raised, and the job
 * runner records them as client webhooks in the same transaction.
 */
export interface BillingAlert {
  id: string;
  workspaceId: string;
  kind: BillingAlertKind;
  periodStart: Date;
  creditsUsed: number;
  creditLimit: number;
  createdAt: Date;
  readAt: Date | null;
}

const THRESHOLDS: ReadonlyArray<[BillingAlertKind, number]> = [
  [BillingAlertKind.CREDITS_80, 0.8],
  [BillingAlertKind.CREDITS_100, 1],
];

interface AlertRow {
  id: string;
  workspace_id: string;
  kind: BillingAlertKind;
  period_start: Date;
  credits_used: string;
  credit_limit: string;
  created_at: Date;
  read_at: Date | null;
}

export function alertFromRow(r: AlertRow): BillingAlert {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    kind: r.kind,
    periodStart: r.period_start,
    creditsUsed: Number(r.credits_used),
    creditLimit: Number(r.credit_limit),
    createdAt: r.created_at,
    readAt: r.read_at,
  };
}

/**
 * Records the 80 % and 100 % alerts the workspace has crossed this period. The unique key
 * (workspace, kind, period) makes each fire once however many settlements cross it; returns
 * only the newly recorded ones.
 */
export async function raiseCreditAlerts(
  db: EntityManager,
  input: { workspaceId: string; periodStart: Date; creditsUsed: number; creditLimit: number },
): Promise<BillingAlert[]> {
  if (!Number.isFinite(input.creditLimit) || input.creditLimit <= 0) return [];
  const raised: BillingAlert[] = [];
  for (const [kind, fraction] of THRESHOLDS) {
    if (input.creditsUsed < input.creditLimit * fraction) continue;
    const rows: AlertRow[] = await db.query(
      `INSERT INTO billing_alerts (workspace_id, kind, period_start, credits_used, credit_limit)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (workspace_id, kind, period_start) DO NOTHING RETURNING *`,
      [input.workspaceId, kind, input.periodStart, input.creditsUsed, input.creditLimit],
    );
    if (rows.length === 0) continue;
    raised.push(alertFromRow(rows[0]));
  }
  return raised;
}

export async function listBillingAlerts(db: EntityManager, workspaceId: string, limit = 50): Promise<BillingAlert[]> {
  const rows: AlertRow[] = await db.query(`SELECT * FROM billing_alerts WHERE workspace_id = $1 ORDER BY created_at DESC LIMIT $2`, [
    workspaceId,
    limit,
  ]);
  return rows.map(alertFromRow);
}

export async function markBillingAlertRead(db: EntityManager, workspaceId: string, alertId: string): Promise<BillingAlert | null> {
  const rows = await updateReturning<AlertRow>(
    db,
    `UPDATE billing_alerts SET read_at = COALESCE(read_at, now()) WHERE workspace_id = $1 AND id = $2 RETURNING *`,
    [workspaceId, alertId],
  );
  return rows[0] ? alertFromRow(rows[0]) : null;
}
