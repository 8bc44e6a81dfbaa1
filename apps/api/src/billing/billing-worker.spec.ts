import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import pg from 'pg';
import { createStripeClient, setUpStripe } from '@brandwright/billing';
import { StripeFake } from '../../../../test/stripe-fake/stripe-fake';
import { testEnv } from '../../../../test/support/app';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { createLogger } from '../common/logging/logger';
import { loadConfig } from '../config/config';
import { WorkerModule } from '../worker.module';

const fake = new StripeFake({ secretKey: 'sk_test_worker' });
let database: TestDatabase;
let worker: INestApplicationContext;
let owner: pg.Client;

before(async () => {
  const { host, port, protocol } = await fake.start();
  await setUpStripe(createStripeClient({ secretKey: 'sk_test_worker', host, port, protocol }));
  database = await createTestDatabase();
  owner = new pg.Client({ connectionString: database.url });
  await owner.connect();
  const config = loadConfig(
    testEnv(database, {
      STRIPE_SECRET_KEY: 'sk_test_worker',
      STRIPE_API_HOST: host,
      STRIPE_API_PORT: String(port),
      STRIPE_API_PROTOCOL: protocol,
      BILLING_REPORT_INTERVAL_SECONDS: '1',
      WORKER_QUEUES: 'billing',
      METRICS_PORT: '0',
    }),
  );
  // The real worker, consuming only the billing queue: its handlers come from the job registry.
  worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, createLogger('warn', 'worker-test')), { logger: false });
  await worker.init();
});

after(async () => {
  await worker?.close();
  await owner?.end();
  await fake.stop();
  await database?.drop();
});

test('the billing worker reports settled usage to Stripe on its own schedule', async () => {
  const { port } = new URL(fake.url);
  const stripe = createStripeClient({ secretKey: 'sk_test_worker', host: '127.0.0.1', port: Number(port), protocol: 'http' });
  const customer = await stripe.customers.create({});
  const { rows } = await owner.query(`INSERT INTO workspaces (id, name, slug) VALUES (gen_random_uuid(), 'W', 'w-worker') RETURNING id`);
  const ws = rows[0].id;
  await owner.query(`INSERT INTO billing_accounts (workspace_id, plan, stripe_customer_id) VALUES ($1, 'AGENCY', $2)`, [ws, customer.id]);
  await owner.query(
    `INSERT INTO usage_events (workspace_id, job_id, meter, quantity, credits, report_status)
     SELECT $1, gen_random_uuid(), 'image_medium', 1, 10, 'PENDING' FROM generate_series(1, 250)`,
    [ws],
  );
  for (let i = 0; i < 100; i++) {
    const { rows: pending } = await owner.query(`SELECT count(*)::int AS n FROM usage_events WHERE report_status = 'PENDING'`);
    if (pending[0].n === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const { rows: left } = await owner.query(`SELECT count(*)::int AS n FROM usage_events WHERE report_status = 'PENDING'`);
  assert.equal(left[0].n, 0);
  assert.equal(fake.meteredValue(customer.id), 2_500);
});
