import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { StripeFake } from '../../../test/stripe-fake/stripe-fake';
import { UsageReporter, createStripeClient, dataSourceTx, setUpStripe } from '../src';

/**
 * `npm run bench:metering`: ledger rows → Stripe meter events through the real SDK and the local
 * fake, batched on the v2 meter event stream (100 a request) against one event a request on v1
 * billing.meterEvents.create, same concurrency. Prints events/s for each and the ratio.
 * Uses BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) to make a scratch database.
 */
const EVENTS = Number(process.env.BENCH_EVENTS ?? 5_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);

async function main(): Promise<void> {
  const server = new URL(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const name = `bw_bench_metering_${randomBytes(3).toString('hex')}`;
  const admin = await new DataSource({ type: 'postgres', url: server.toString() }).initialize();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = Object.assign(new URL(server.toString()), { pathname: `/${name}` }).toString();
  const fake = new StripeFake({ secretKey: 'sk_test_bench' });
  try {
    const migrated = spawnSync('node', ['-r', '@swc-node/register', 'migrations/cli.ts', 'run'], {
      env: { ...process.env, DATABASE_URL: url },
      encoding: 'utf8',
    });
    if (migrated.status !== 0) throw new Error(`migrations failed: ${migrated.stderr}`);
    const owner = await new DataSource({ type: 'postgres', url }).initialize();
    const app = await new DataSource({
      type: 'postgres',
      url,
      extra: { max: CONCURRENCY + 2, options: '-c role=brandwright_app' },
    }).initialize();
    const address = await fake.start();
    const stripe = createStripeClient({ secretKey: 'sk_test_bench', ...address, timeoutMs: 5_000, maxNetworkRetries: 2 });
    await setUpStripe(stripe);
    const customer = await stripe.customers.create({});
    const workspaceId = (
      await owner.query(`INSERT INTO workspaces (id, name, slug) VALUES (gen_random_uuid(), 'Bench', 'bench') RETURNING id`)
    )[0].id;
    await owner.query(`INSERT INTO billing_accounts (workspace_id, plan, stripe_customer_id) VALUES ($1, 'PRO', $2)`, [
      workspaceId,
      customer.id,
    ]);

    const measure = async (mode: 'stream' | 'single'): Promise<number> => {
      await owner.query(`TRUNCATE usage_events`);
      await owner.query(
        `INSERT INTO usage_events (workspace_id, job_id, meter, quantity, credits, report_status)
         SELECT $1, gen_random_uuid(), 'image_small', 1, 4, 'PENDING' FROM generate_series(1, $2)`,
        [workspaceId, EVENTS],
      );
      const reporter = new UsageReporter(dataSourceTx(app), stripe, { mode, concurrency: CONCURRENCY, maxRowsPerRun: EVENTS });
      const accepted = fake.meterEvents.size;
      const started = process.hrtime.bigint();
      const run = await reporter.reportAll();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (run.reported !== EVENTS || fake.meterEvents.size - accepted !== EVENTS) throw new Error(`${mode}: ${run.reported} reported`);
      return EVENTS / seconds;
    };
    await measure('stream'); // warm up connections and the JIT
    const batched = await measure('stream');
    const single = await measure('single');
    console.log(`metering: ${EVENTS} ledger rows → Stripe fake via the stripe SDK, concurrency ${CONCURRENCY}`);
    console.log(`brandwright (v2 meter event stream, 100 events/request): ${batched.toFixed(0)} events/s`);
    console.log(`baseline (v1 meterEvents.create, 1 event/request):       ${single.toFixed(0)} events/s`);
    console.log(`ratio: ${(batched / single).toFixed(1)}x`);
    await app.destroy();
    await owner.destroy();
  } finally {
    await fake.stop();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.destroy();
  }
}

main().catch((err: Error) => {
  console.error(`bench:metering failed: ${err.message}`);
  process.exit(1);
});
