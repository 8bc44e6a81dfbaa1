import { Module } from '@nestjs/common';
import { BillingHooks, billingHooks } from '@brandwright/billing';
import { BillingStripe } from './billing-stripe';

/**
 * What the api and the worker share: the Stripe client and the billing hooks. Other modules
 * inject BillingHooks to hear about alerts (the webhooks module sends them as client webhooks).
 */
@Module({
  providers: [BillingStripe, { provide: BillingHooks, useValue: billingHooks }],
  exports: [BillingStripe, BillingHooks],
})
export class BillingCoreModule {}
