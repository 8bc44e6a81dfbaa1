import { Module } from '@nestjs/common';
import { BillingCoreModule } from './billing-core.module';
import { BillingResolver } from './billing.resolver';
import { BillingService } from './billing.service';
import { StripeWebhookController } from './stripe-webhook.controller';

/** Billing in the api: GraphQL (plan, credits, invoices, checkout, portal, spend cap, alerts) and POST /webhooks/stripe. */
@Module({
  imports: [BillingCoreModule],
  providers: [BillingService, BillingResolver],
  controllers: [StripeWebhookController],
  exports: [BillingCoreModule, BillingService],
})
export class BillingModule {}
