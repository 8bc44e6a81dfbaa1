import type { EntityManager } from 'typeorm';
import type { Meter } from '../plans/meters';

export interface UsageWindow {
  from: Date;
  to: Date;
}

export interface MeterUsage {
  meter: Meter;
  quantity: number;
  credits: number;
}

export interface DailyMeterUsage extends MeterUsage {
  /** The UTC day, YYYY-MM-DD. */
  day: string;
}

/** Settled usage in [from, to) per meter. */
export async function usageByMeter(db: EntityManager, workspaceId: string, window: UsageWindow): Promise<MeterUsage[]> {
  const rows: Array<{ meter: Meter; quantity: string; credits: string }> = await db.query(
    `SELECT meter, SUM(quantity) AS quantity, SUM(credits) AS credits FROM usage_events
      WHERE workspace_id = $1 AND occurred_at >= $2 AND occurred_at < $3
      GROUP BY meter ORDER BY meter`,
    [workspaceId, window.from, window.to],
  );
  return rows.map((r) => ({ meter: r.meter, quantity: Number(r.quantity), credits: Number(r.credits) }));
}

/** Settled usage in [from, to) per UTC day and meter, oldest first. */
export async function usageByDay(db: EntityManager, workspaceId: string, window: UsageWindow): Promise<DailyMeterUsage[]> {
  const rows: Array<{ day: string; meter: Meter; quantity: string; credits: string }> = await db.query(
    `SELECT to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, meter,
            SUM(quantity) AS quantity, SUM(credits) AS credits
       FROM usage_events
      WHERE workspace_id = $1 AND occurred_at >= $2 AND occurred_at < $3
      GROUP BY 1, 2 ORDER BY 1, 2`,
    [workspaceId, window.from, window.to],
  );
  return rows.map((r) => ({ day: r.day, meter: r.meter, quantity: Number(r.quantity), credits: Number(r.credits) }));
}
