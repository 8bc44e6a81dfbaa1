import { randomUUID } from 'node:crypto';
import { type IncomingMessage, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import 'reflect-metadata';
import type Stripe from 'stripe';
import { DataSource } from 'typeorm';
import { BillingException, StripeWebhookHandler, createStripeClient, dataSourceTx, setUpStripe, type TenantTx } from '@brandwright/billing';
import { StripeFake } from '../stripe-fake/stripe-fake';
import { createTestDatabase, type TestDatabase } from './database';

/**
 * What billing tests share: a cloned test database, one connection as the owner (setup and
 * checks) and one as the app role (the code under test, with row-level security on), a Stripe
 * fake with the plans set up, and a webhook endpoint that answers as the API's controller does.
 */
export interface BillingTestKit {
  database: TestDatabase;
  owner: DataSource;
  app: DataSource;
  tx: TenantTx;
  fake: StripeFake;
  stripe: Stripe;
  webhooks: StripeWebhookHandler;
  createWorkspace(): Promise<string>;
  close(): Promise<void>;
}

function source(url: string, role?: string): DataSource {
  return new DataSource({ type: 'postgres', url, extra: { max: 12, ...(role ? { options: `-c role=${role}` } : {}) } });
}

export async function startBillingTestKit(options: { stripeTimeoutMs?: number; maxNetworkRetries?: number } = {}): Promise<BillingTestKit> {
  const database = await createTestDatabase();
  const owner = await source(database.url).initialize();
  const app = await source(database.url, 'brandwright_app').initialize();
  const tx = dataSourceTx(app);

  const fake = new StripeFake({ secretKey: 'sk_test_billing' });
  const address = await fake.start();
  const stripe = createStripeClient({
    secretKey: 'sk_test_billing',
    host: address.host,
    port: address.port,
    protocol: 'http',
    timeoutMs: options.stripeTimeoutMs ?? 2_000,
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
  });
  await setUpStripe(stripe);
  const webhooks = new StripeWebhookHandler(tx, stripe, fake.webhookSecret);

  // The same contract as POST /webhooks/stripe: 400 for a bad signature, 200 otherwise.
  const endpoint = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    try {
      const outcome = await webhooks.handle(Buffer.concat(chunks), req.headers['stripe-signature']);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(outcome));
    } catch (err) {
      res.writeHead(err instanceof BillingException ? 400 : 500).end((err as Error).message);
    }
  });
  await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', r));
  fake.webhookUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/webhooks/stripe`;

  return {
    database,
    owner,
    app,
    tx,
    fake,
    stripe,
    webhooks,
    async createWorkspace() {
      const id = randomUUID();
      await owner.query(`INSERT INTO workspaces (id, name, slug) VALUES ($1, $2, $3)`, [id, `Workspace ${id.slice(0, 8)}`, `ws-${id}`]);
      return id;
    },
    async close() {
      endpoint.closeAllConnections();
      await new Promise<void>((r) => endpoint.close(() => r()));
      await fake.stop();
      await app.destroy();
      await owner.destroy();
      await database.drop();
    },
  };
}
