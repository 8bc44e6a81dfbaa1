import { StripeFake } from './stripe-fake';

/**
 * The Stripe fake on its own, for `npm start` without STRIPE_SECRET_KEY and for trying billing
 * by hand: `node -r @swc-node/register test/stripe-fake/main.ts`.
 *   STRIPE_FAKE_PORT (default 12111), STRIPE_WEBHOOK_URL (default http://127.0.0.1:3000/webhooks/stripe),
 *   STRIPE_WEBHOOK_SECRET (default whsec_local_fake).
 * Point the API at it with STRIPE_SECRET_KEY=sk_test_fake STRIPE_API_HOST=127.0.0.1
 * STRIPE_API_PORT=12111 STRIPE_API_PROTOCOL=http STRIPE_WEBHOOK_SECRET=<same>.
 */
async function main(): Promise<void> {
  const fake = new StripeFake({
    webhookUrl: process.env.STRIPE_WEBHOOK_URL ?? 'http://127.0.0.1:3000/webhooks/stripe',
    webhookSecret: process.env.STRIPE_WEBHOOK_SECRET ?? 'whsec_local_fake',
  });
  const { url } = await fake.start(Number(process.env.STRIPE_FAKE_PORT ?? 12111));
  console.log(`stripe-fake listening on ${url}; webhooks to ${fake.webhookUrl}`);
  const stop = () => void fake.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: Error) => {
  console.error(`stripe-fake failed to start: ${err.message}`);
  process.exit(1);
});
