import Stripe from 'stripe';
import type { EntityManager } from 'typeorm';
import { CREDITS_METER } from '../plans/plans';
import { type TenantTx, enterWorkspace } from '../tenant-tx';

export interface UsageReporterOptions {
  /** Events per meter event stream request; Stripe accepts at most 100. */
  batchSize?: number;
  /** Requests in flight at once. */
  concurrency?: number;
  /** Ledger rows taken per run; the rest wait for the next run. */
  maxRowsPerRun?: number;
  /** 'stream': v2 meter event stream, `batchSize` events a request (the product's way).
   *  'single': v1 billing.meterEvents.create, one event a request (the benchmark's baseline). */
  mode?: 'stream' | 'single';
}

export interface UsageReportRun {
  /** Rows Stripe accepted and that are now marked REPORTED. */
  reported: number;
  /** Rows whose request failed after the SDK's retries; they stay PENDING for the next run. */
  failed: number;
  requests: number;
  /** Age in seconds of the oldest usage row still waiting for Stripe when the pass began (0: none). */
  lagSeconds: number;
}

interface PendingRow {
  id: string;
  workspace_id: string;
  credits: string;
  occurred_at: Date;
  meter: string;
  stripe_customer_id: string;
}

/** Sessions last 15 minutes; renew a minute early. */
const SESSION_MARGIN_MS = 60_000;

/**
 * Sends PENDING ledger rows to Stripe as meter events and marks them REPORTED. Each event's
 * `identifier` is the ledger row id, so a row sent twice (a timeout after Stripe accepted it, a
 * crash before marking) is counted once by Stripe. Rows are marked only after Stripe accepted
 * their batch; failed batches stay PENDING and go again on the next run (the billing queue
 * repeats this job, and BullMQ retries it with backoff).
 */
export class UsageReporter {
  private session: { token: string; expiresAt: number } | null = null;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly maxRowsPerRun: number;
  private readonly mode: 'stream' | 'single';

  constructor(
    private readonly tx: TenantTx,
    private readonly stripe: Stripe,
    options: UsageReporterOptions = {},
  ) {
    this.batchSize = Math.min(options.batchSize ?? 100, 100);
    this.concurrency = options.concurrency ?? 4;
    this.maxRowsPerRun = options.maxRowsPerRun ?? 5_000;
    this.mode = options.mode ?? 'stream';
  }

  /** One pass over up to maxRowsPerRun pending rows. */
  async reportPending(): Promise<UsageReportRun> {
    // Across workspaces only through this function (see the billing migration).
    const rows = await this.tx.with(
      { workspaceId: null },
      async (db) => (await db.query(`SELECT * FROM billing_pending_usage($1)`, [this.maxRowsPerRun])) as PendingRow[],
    );
    const size = this.mode === 'stream' ? this.batchSize : 1;
    const batches: PendingRow[][] = [];
    for (let i = 0; i < rows.length; i += size) batches.push(rows.slice(i, i + size));

    const oldest = rows[0] ? new Date(rows[0].occurred_at).getTime() : null;
    const run: UsageReportRun = {
      reported: 0,
      failed: 0,
      requests: 0,
      lagSeconds: oldest === null ? 0 : Math.max(0, (Date.now() - oldest) / 1000),
    };
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < batches.length) {
        const batch = batches[next++];
        run.requests++;
        let accepted = false;
        try {
          await this.send(batch);
          accepted = true;
        } catch {
          run.failed += batch.length;
        }
        await this.markAttempt(batch, accepted);
        if (accepted) run.reported += batch.length;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, batches.length) }, lane));
    return run;
  }

  /** Runs passes until nothing is pending or a pass makes no progress. */
  async reportAll(maxPasses = 100): Promise<UsageReportRun> {
    const total: UsageReportRun = { reported: 0, failed: 0, requests: 0, lagSeconds: 0 };
    for (let pass = 0; pass < maxPasses; pass++) {
      const run = await this.reportPending();
      if (pass === 0) total.lagSeconds = run.lagSeconds;
      total.reported += run.reported;
      total.requests += run.requests;
      total.failed = run.failed;
      if (run.requests === 0) break;
    }
    return total;
  }

  private async send(batch: PendingRow[]): Promise<void> {
    if (this.mode === 'single') {
      const row = batch[0];
      await this.stripe.billing.meterEvents.create({
        event_name: CREDITS_METER.eventName,
        identifier: row.id,
        timestamp: Math.floor(row.occurred_at.getTime() / 1000),
        payload: { stripe_customer_id: row.stripe_customer_id, value: String(row.credits) },
      });
      return;
    }
    const events = batch.map((row) => ({
      event_name: CREDITS_METER.eventName,
      identifier: row.id,
      timestamp: row.occurred_at.toISOString(),
      payload: { stripe_customer_id: row.stripe_customer_id, value: String(row.credits) },
    }));
    try {
      await this.stripe.v2.billing.meterEventStream.create({ events }, { apiKey: await this.sessionToken() });
    } catch (err) {
      if (!(err instanceof Stripe.errors.TemporarySessionExpiredError)) throw err;
      this.session = null;
      await this.stripe.v2.billing.meterEventStream.create({ events }, { apiKey: await this.sessionToken() });
    }
  }

  /** The meter event stream authenticates with a short-lived session token, not the secret key. */
  private async sessionToken(): Promise<string> {
    if (this.session && this.session.expiresAt - SESSION_MARGIN_MS > Date.now()) return this.session.token;
    const session = await this.stripe.v2.billing.meterEventSession.create();
    this.session = { token: session.authentication_token, expiresAt: new Date(session.expires_at).getTime() };
    return this.session.token;
  }

  private async markAttempt(batch: PendingRow[], accepted: boolean): Promise<void> {
    const byWorkspace = new Map<string, string[]>();
    for (const row of batch) byWorkspace.set(row.workspace_id, [...(byWorkspace.get(row.workspace_id) ?? []), row.id]);
    await this.tx.with({ workspaceId: null }, async (db: EntityManager) => {
      for (const [workspaceId, ids] of byWorkspace) {
        await enterWorkspace(db, workspaceId);
        await db.query(
          accepted
            ? `UPDATE usage_events SET report_status = 'REPORTED', reported_at = now(), report_attempts = report_attempts + 1
                WHERE id = ANY($1) AND report_status = 'PENDING'`
            : `UPDATE usage_events SET report_attempts = report_attempts + 1 WHERE id = ANY($1) AND report_status = 'PENDING'`,
          [ids],
        );
      }
    });
  }
}
