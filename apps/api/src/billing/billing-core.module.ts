import { Module } from '@nestjs/common';
import { BillingStripe } from './billing-stripe';

/** What the api and the worker share: the Stripe client. */
@Module({
  providers: [BillingStripe],
  exports: [BillingStripe],
})
export class BillingCoreModule {}
