import { createStripeClient } from '../stripe/stripe-client';
import { setUpStripe } from '../stripe/stripe-setup';

/**
 * `npm run billing:setup-stripe`: creates the Stripe meter, products and prices the plans need
 * (idempotent). Reads STRIPE_SECRET_KEY, and STRIPE_API_HOST / STRIPE_API_PORT /
 * STRIPE_API_PROTOCOL to aim at a local test/stripe-fake.
 */
async function main(): Promise<void> {
  const env = process.env;
  if (!env.STRIPE_SECRET_KEY) throw new Error('STRIPE_SECRET_KEY is not set.');
  const stripe = createStripeClient({
    secretKey: env.STRIPE_SECRET_KEY,
    host: env.STRIPE_API_HOST || undefined,
    port: env.STRIPE_API_PORT ? Number(env.STRIPE_API_PORT) : undefined,
    protocol: (env.STRIPE_API_PROTOCOL as 'http' | 'https' | undefined) || undefined,
  });
  const result = await setUpStripe(stripe);
  for (const what of result.created) console.log(`created  ${what}`);
  for (const what of result.existing) console.log(`exists   ${what}`);
  console.log(`credits meter: ${result.meterId}`);
}

main().catch((err: Error) => {
  console.error(`billing:setup-stripe failed: ${err.message}`);
  process.exit(1);
});
