import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { reconcileUsage, yesterdayUtc } from '@brandwright/billing';
import { LOGGER } from '../common/logging/logger.module';
import { TenantDb } from '../database/tenant-db';
import { JobHandler } from '../jobs/job-handler';
import { JobName, type ReconcileUsagePayload } from '../jobs/job-names';
import { BillingStripe } from './billing-stripe';

/** reconcile-usage, nightly: yesterday's ledger against Stripe's meter event summaries; mismatches are logged. */
@JobHandler(JobName.RECONCILE_USAGE)
@Injectable()
export class ReconcileUsageHandler implements JobHandler<ReconcileUsagePayload> {
  constructor(
    private readonly db: TenantDb,
    private readonly stripe: BillingStripe,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async process(job: Job<ReconcileUsagePayload>): Promise<unknown> {
    const window = job.data.from && job.data.to ? { from: new Date(job.data.from), to: new Date(job.data.to) } : yesterdayUtc();
    const report = await reconcileUsage(this.db, this.stripe.require(), window);
    for (const m of report.mismatches) this.logger.warn({ ...m, from: report.from, to: report.to }, 'usage reconciliation mismatch');
    return { workspaces: report.lines.length, mismatches: report.mismatches.length };
  }
}
