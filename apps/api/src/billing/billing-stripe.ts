import { Injectable } from '@nestjs/common';
import { BillingException, BillingExceptionCode, BillingGateway, createStripeClient } from '@brandwright/billing';
import type Stripe from 'stripe';
import { AppConfig } from '../config/config';

/**
 * The Stripe SDK client from configuration (api.stripe.com, or test/stripe-fake through
 * STRIPE_API_HOST/PORT/PROTOCOL). Without STRIPE_SECRET_KEY it is absent, and what needs Stripe
 * answers STRIPE_NOT_SET_UP while credits and limits keep working.
 */
@Injectable()
export class BillingStripe {
  readonly client: Stripe | null;
  private gatewayInstance: BillingGateway | null = null;

  constructor(readonly config: AppConfig) {
    const v = config.values;
    this.client = v.STRIPE_SECRET_KEY
      ? createStripeClient({
          secretKey: v.STRIPE_SECRET_KEY,
          host: v.STRIPE_API_HOST,
          port: v.STRIPE_API_PORT,
          protocol: v.STRIPE_API_PROTOCOL,
          timeoutMs: v.STRIPE_TIMEOUT_MS,
          maxNetworkRetries: v.STRIPE_MAX_NETWORK_RETRIES,
        })
      : null;
  }

  require(): Stripe {
    if (!this.client) {
      throw new BillingException(
        BillingExceptionCode.STRIPE_NOT_SET_UP,
        'Stripe is not configured here: set STRIPE_SECRET_KEY (see docs/billing.md).',
      );
    }
    return this.client;
  }

  gateway(): BillingGateway {
    return (this.gatewayInstance ??= new BillingGateway(this.require()));
  }
}
