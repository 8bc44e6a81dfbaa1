import { Module } from '@nestjs/common';
import { JobsCoreModule } from '../jobs/jobs-core.module';
import { BillingCoreModule } from './billing-core.module';
import { BillingSchedules } from './billing-schedules';
import { ReconcileUsageHandler } from './reconcile-usage.handler';
import { ReportUsageHandler } from './report-usage.handler';

/** Billing in the worker: the billing queue's handlers (usage reporting, reconciliation) and their schedules. */
@Module({
  imports: [BillingCoreModule, JobsCoreModule],
  providers: [ReportUsageHandler, ReconcileUsageHandler, BillingSchedules],
})
export class BillingWorkerModule {}
