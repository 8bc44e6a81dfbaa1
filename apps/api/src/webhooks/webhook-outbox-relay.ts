import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { JobQueues } from '../jobs/job-queues';
import { QueueName } from '../jobs/job-names';

export interface WebhookOutboxRelayOptions {
  /** How often PostgreSQL is polled (WEBHOOK_RELAY_INTERVAL_MS). */
  intervalMs: number;
  /** A delivery untouched this long is checked (the after-commit dispatch normally queued it already). */
  graceMs: number;
  /** Longest pause between two checks of the same row. */
  maxBackoffMs?: number;
  batchSize?: number;
}

/**
 * The outbox's relay: the guarantee that every PENDING webhook delivery has a queue entry, read
 * from PostgreSQL rather than trusted to Redis. After a job commits, the runner queues its
 * deliveries at once (the fast path); a worker killed between the commit and that call, a Redis
 * outage, or a Redis that lost its data (FLUSHALL, a fresh instance without persistence) leaves
 * rows without an entry. The relay claims due rows (`claim_webhook_relay`: FOR UPDATE SKIP
 * LOCKED, so relays in several workers split the work, and a per-row exponential backoff) and
 * queues those whose entry is missing or finished while the row is still PENDING. The queue
 * entry's id is the delivery id, so a row that does have one is never queued twice.
 */
export class WebhookOutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = true;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: JobQueues,
    private readonly logger: Logger,
    private readonly options: WebhookOutboxRelayOptions,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(this.options.intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.relayOnce()
        .catch((err: Error) => this.logger.warn({ err }, 'webhook relay pass failed; trying again'))
        .finally(() => {
          this.running = null;
          this.schedule(this.options.intervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }

  /** One pass; returns how many deliveries it queued. */
  async relayOnce(): Promise<number> {
    const due: Array<{ id: string; workspace_id: string }> = await this.dataSource.query(
      `SELECT id, workspace_id FROM claim_webhook_relay($1, $2, $3, $4)`,
      [this.options.graceMs, this.options.batchSize ?? 200, this.options.intervalMs, this.options.maxBackoffMs ?? 300_000],
    );
    const queue = this.queues.queue(QueueName.WEBHOOKS);
    let queued = 0;
    for (const row of due) {
      const entry = await queue.getJob(row.id);
      if (entry) {
        const state = await entry.getState();
        // Finished in the queue but not on the row: the outcome was never recorded; send it again.
        if (state !== 'failed' && state !== 'completed') continue;
        await entry.remove();
      }
      await this.queues.addWebhookDelivery({ workspaceId: row.workspace_id, deliveryId: row.id });
      queued += 1;
    }
    if (queued) this.logger.warn({ queued }, 'queued webhook deliveries that had no queue entry');
    return queued;
  }
}
