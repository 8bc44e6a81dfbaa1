import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '../common/logging/logger.module';
import { JobQueues } from '../jobs/job-queues';
import { JobName, QueueName, parseWorkerQueues } from '../jobs/job-names';
import { BillingStripe } from './billing-stripe';

/**
 * The billing queue's job schedulers: report-usage every BILLING_REPORT_INTERVAL_SECONDS,
 * reconcile-usage on BILLING_RECONCILE_CRON. Schedulers run each tick once however many workers
 * there are. Asserted by workers that consume the billing queue, when Stripe is configured.
 */
@Injectable()
export class BillingSchedules implements OnApplicationBootstrap, OnModuleDestroy {
  private reassert: NodeJS.Timeout | null = null;
  private asserted = false;

  constructor(
    private readonly stripe: BillingStripe,
    private readonly queues: JobQueues,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const v = this.stripe.config.values;
    if (!parseWorkerQueues(v.WORKER_QUEUES).includes(QueueName.BILLING)) return;
    if (!this.stripe.client) {
      this.logger.warn('STRIPE_SECRET_KEY is not set: usage is not reported to Stripe.');
      return;
    }
    await this.assertSchedules().catch((err: Error) => this.logger.warn({ err }, 'billing schedules not asserted yet; retrying'));
    // Redis may lose the schedules (FLUSHALL, a fresh instance without persistence); without them
    // usage would silently stop reaching Stripe. Re-assert them for as long as the worker runs.
    this.reassert = setInterval(
      () => void this.assertSchedules().catch((err: Error) => this.logger.warn({ err }, 'could not re-assert billing schedules')),
      v.SCHEDULE_REASSERT_INTERVAL_MS,
    );
    this.reassert.unref();
  }

  /** Creates the job schedulers, or leaves them as they are; says so when one had gone missing. */
  async assertSchedules(): Promise<void> {
    const v = this.stripe.config.values;
    const queue = this.queues.queue(QueueName.BILLING);
    const retry = { attempts: 5, backoff: { type: 'exponential', delay: 2_000 }, removeOnComplete: 100, removeOnFail: 500 };
    const schedules = [
      { name: JobName.REPORT_USAGE, repeat: { every: v.BILLING_REPORT_INTERVAL_SECONDS * 1000 } },
      { name: JobName.RECONCILE_USAGE, repeat: { pattern: v.BILLING_RECONCILE_CRON, tz: 'UTC' } },
    ];
    for (const { name, repeat } of schedules) {
      // At start, upsert (the interval may have changed); later, only put back what is missing.
      if (this.asserted) {
        if (await queue.getJobScheduler(name)) continue;
        this.logger.warn({ schedule: name }, 'a billing schedule was missing from Redis (data lost?); re-created it');
      }
      await queue.upsertJobScheduler(name, repeat, { name, opts: retry });
    }
    this.asserted = true;
  }

  onModuleDestroy(): void {
    if (this.reassert) clearInterval(this.reassert);
  }
}
