import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  BILLING_JOBS,
  BILLING_QUEUE,
  BillingJob,
  type ReconcileUsagePayload,
  UsageReporter,
  reconcileUsage,
  yesterdayUtc,
} from '@brandwright/billing';
import { type Job, Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { TenantDb } from '../database/tenant-db';
import { BillingStripe } from './billing-stripe';
import { Metrics } from '../metrics/metrics.service';

/**
 * The billing queue's worker: REPORT_USAGE every few seconds (settled usage → Stripe meter
 * events), RECONCILE_USAGE nightly. Both are job schedulers, so however many workers run, each
 * tick runs once; failed runs retry with exponential backoff, and rows a run could not send stay
 * PENDING for the next one. Without Stripe configured the queue is not started.
 */
@Injectable()
export class BillingQueueProcessor implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger('BillingQueue');
  private worker: Worker | null = null;
  private queue: Queue | null = null;
  private connection: Redis | null = null;
  private reporter: UsageReporter | null = null;

  constructor(
    private readonly db: TenantDb,
    private readonly stripe: BillingStripe,
    private readonly metrics: Metrics,
  ) {}

  /** The handler of every billing job name; the worker refuses to start if one is missing. */
  readonly handlers: Record<BillingJob, (job: Job) => Promise<unknown>> = {
    [BillingJob.REPORT_USAGE]: async () => {
      const run = await this.reporter!.reportPending();
      this.metrics.stripeReportingLag(run.lagSeconds);
      if (run.failed > 0) throw new Error(`${run.failed} usage rows were not accepted by Stripe; they stay pending`);
      return run;
    },
    [BillingJob.RECONCILE_USAGE]: async (job: Job<ReconcileUsagePayload>) => {
      const window = job.data.from && job.data.to ? { from: new Date(job.data.from), to: new Date(job.data.to) } : yesterdayUtc();
      const report = await reconcileUsage(this.db, this.stripe.require(), window);
      for (const m of report.mismatches) this.log.warn({ ...m, from: report.from, to: report.to }, 'usage reconciliation mismatch');
      return { workspaces: report.lines.length, mismatches: report.mismatches.length };
    },
  };

  async onModuleInit(): Promise<void> {
    for (const name of BILLING_JOBS) if (!this.handlers[name]) throw new Error(`billing job "${name}" has no handler`);
    if (!this.stripe.client) {
      this.log.warn('STRIPE_SECRET_KEY is not set: usage is not reported to Stripe.');
      return;
    }
    const v = this.stripe.config.values;
    this.reporter = new UsageReporter(this.db, this.stripe.client);
    this.connection = new Redis(v.REDIS_URL, { maxRetriesPerRequest: null });
    const options = { connection: this.connection, prefix: v.REDIS_PREFIX };
    this.queue = new Queue(BILLING_QUEUE, options);
    const retry = { attempts: 5, backoff: { type: 'exponential', delay: 2_000 }, removeOnComplete: 100, removeOnFail: 500 };
    await this.queue.upsertJobScheduler(
      BillingJob.REPORT_USAGE,
      { every: v.BILLING_REPORT_INTERVAL_SECONDS * 1000 },
      { name: BillingJob.REPORT_USAGE, opts: retry },
    );
    await this.queue.upsertJobScheduler(
      BillingJob.RECONCILE_USAGE,
      { pattern: v.BILLING_RECONCILE_CRON, tz: 'UTC' },
      { name: BillingJob.RECONCILE_USAGE, opts: retry },
    );
    this.worker = new Worker(
      BILLING_QUEUE,
      (job) => {
        const handler = this.handlers[job.name as BillingJob];
        if (!handler) throw new Error(`no handler for billing job "${job.name}"`);
        return handler(job);
      },
      { ...options, concurrency: 1 },
    );
    this.worker.on('failed', (job, err) => this.log.warn(`${job?.name} failed: ${err.message}`));
  }

  async onModuleDestroy(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
    await this.connection?.quit().catch(() => this.connection?.disconnect());
  }
}
