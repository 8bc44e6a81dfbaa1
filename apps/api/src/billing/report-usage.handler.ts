import { Injectable } from '@nestjs/common';
import { UsageReporter } from '@brandwright/billing';
import { TenantDb } from '../database/tenant-db';
import { JobHandler } from '../jobs/job-handler';
import { JobName } from '../jobs/job-names';
import { Metrics } from '../metrics/metrics.service';
import { BillingStripe } from './billing-stripe';

/**
 * report-usage, every few seconds (billing-schedules.ts): settled usage rows to Stripe as meter
 * events. Rows a run could not send stay PENDING for the next run; a run that left some throws,
 * so BullMQ retries it with backoff.
 */
@JobHandler(JobName.REPORT_USAGE)
@Injectable()
export class ReportUsageHandler implements JobHandler {
  private reporter: UsageReporter | null = null;

  constructor(
    private readonly db: TenantDb,
    private readonly stripe: BillingStripe,
    private readonly metrics: Metrics,
  ) {}

  async process(): Promise<unknown> {
    this.reporter ??= new UsageReporter(this.db, this.stripe.require());
    const run = await this.reporter.reportPending();
    this.metrics.stripeReportingLag(run.lagSeconds);
    if (run.failed > 0) throw new Error(`${run.failed} usage rows were not accepted by Stripe; they stay pending`);
    return run;
  }
}
