import Stripe from 'stripe';

export interface StripeConnectionOptions {
  secretKey: string;
  /** Overrides for a local Stripe (test/stripe-fake); leave unset for api.stripe.com. */
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
  /** Per request; the SDK's default (80 s) is far too long for a queue worker. */
  timeoutMs?: number;
  /** The SDK retries connection errors, 409s and 5xx with exponential backoff, reusing one idempotency key. */
  maxNetworkRetries?: number;
}

/** The official SDK, pointed at Stripe or at a local fake through its host/port/protocol options. */
export function createStripeClient(options: StripeConnectionOptions): Stripe {
  return new Stripe(options.secretKey, {
    host: options.host,
    port: options.port,
    protocol: options.protocol,
    timeout: options.timeoutMs ?? 20_000,
    maxNetworkRetries: options.maxNetworkRetries ?? 3,
    appInfo: { name: 'Brandwright' },
    telemetry: false,
  });
}
