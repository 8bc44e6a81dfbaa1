import { Module } from '@nestjs/common';
import { BillingCoreModule } from './billing-core.module';
import { BillingQueueProcessor } from './billing-queue.processor';

/** Billing in the worker: the `billing` queue (usage reporting, reconciliation). */
@Module({ imports: [BillingCoreModule], providers: [BillingQueueProcessor], exports: [BillingCoreModule] })
export class BillingWorkerModule {}

/** The worker's processors for the billing queue, for a registry that checks every job has one. */
export const billingProcessors = [BillingQueueProcessor];
