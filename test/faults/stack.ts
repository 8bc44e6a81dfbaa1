import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import pg from 'pg';
import { createStripeClient, setUpStripe } from '@brandwright/billing';
import { StripeFake } from '../stripe-fake/stripe-fake';
import { startApp, type TestApp } from '../support/app';
import { ok, signUp } from '../support/graphql';
import { buildTestModel, startWorker, waitFor, type WorkerProcess } from '../jobs/support';
import { startPostgres, startRedis, type TestPostgres, type TestRedis } from './servers';

/**
 * A whole Brandwright on servers the test owns: its own PostgreSQL and Redis (side ports, so it
 * may kill them), the Stripe fake, a webhook receiver, the api in this process and worker
 * processes spawned from apps/api/src/worker.ts. `settled()` waits until every guarantee holds
 * and checks each one (see `Guarantees`).
 */
export interface Stack {
  pg: TestPostgres;
  redis: TestRedis;
  api: TestApp;
  workers: WorkerProcess[];
  token: string;
  workspaceId: string;
  brandId: string;
  customer: string;
  fake: StripeFake;
  /** Webhook requests received: delivery id → event id (the job.completed payload id) per request. */
  received: Array<{ deliveryId: string; eventId: string; jobId: string }>;
  jobs: string[];
  /** The environment the api and workers run with (their own servers, short recovery timings). */
  env: Record<string, string>;
  startWorker(extra?: Record<string, string>): Promise<WorkerProcess>;
  createJobs(count: number): Promise<string[]>;
  owner<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

const STRIPE_KEY = 'sk_test_faults';

/** Short timings so recovery fits in a test; OUTAGE_BUDGET_MS keeps its default (10 minutes). */
export function workerEnv(modelDir: string, stripe: { host: string; port: number }): Record<string, string> {
  return {
    MODEL_DIR: modelDir,
    WORKER_QUEUES: 'generate-text,webhooks,billing',
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    TEXT_CONCURRENCY: '4',
    WORKSPACE_CONCURRENCY: '8',
    JOB_LOCK_MS: '2000',
    JOB_STALLED_INTERVAL_MS: '1000',
    JOB_SWEEP_INTERVAL_MS: '500',
    JOB_SWEEP_AFTER_MS: '3000',
    WEBHOOK_BACKOFF_MS: '200',
    WEBHOOK_RELAY_INTERVAL_MS: '300',
    SCHEDULE_REASSERT_INTERVAL_MS: '1000',
    BILLING_REPORT_INTERVAL_SECONDS: '1',
    STRIPE_SECRET_KEY: STRIPE_KEY,
    STRIPE_API_HOST: stripe.host,
    STRIPE_API_PORT: String(stripe.port),
    STRIPE_API_PROTOCOL: 'http',
    STRIPE_MAX_NETWORK_RETRIES: '0',
    METRICS_PORT: '0',
    DASHBOARD_DIR: '/nonexistent',
  };
}

export async function startStack(options: { redisPersistence: boolean }): Promise<Stack> {
  // What has started so far, stopped in reverse if a later step fails (or the test would hang on it).
  const started: Array<() => Promise<unknown>> = [];
  try {
    return await assemble(options, started);
  } catch (err) {
    for (const stop of started.reverse()) await stop().catch(() => undefined);
    throw err;
  }
}

async function assemble(options: { redisPersistence: boolean }, started: Array<() => Promise<unknown>>): Promise<Stack> {
  const [postgres, redis] = await Promise.all([
    startPostgres().then((p) => (started.push(() => p.close()), p)),
    startRedis({ persistence: options.redisPersistence }).then((r) => (started.push(() => r.close()), r)),
  ]);
  const fake = new StripeFake({ secretKey: STRIPE_KEY });
  const stripe = await fake.start();
  started.push(() => fake.stop());
  await setUpStripe(createStripeClient({ secretKey: STRIPE_KEY, host: stripe.host, port: stripe.port, protocol: 'http' }));
  const customer = (
    await createStripeClient({ secretKey: STRIPE_KEY, host: stripe.host, port: stripe.port, protocol: 'http' }).customers.create({})
  ).id;
  const modelDir = buildTestModel();
  started.push(async () => rmSync(modelDir, { recursive: true, force: true }));
  const env = { ...workerEnv(modelDir, stripe), REDIS_URL: redis.url };
  const api = await startApp(env, postgres.database);
  started.push(() => api.close());

  const received: Stack['received'] = [];
  const receiver: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += String(d)));
    req.on('end', () => {
      const parsed = JSON.parse(body) as { id: string; data: { job: { id: string } } };
      received.push({ deliveryId: String(req.headers['brandwright-delivery']), eventId: parsed.id, jobId: parsed.data.job.id });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  started.push(() => new Promise((r) => receiver.close(r)));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  const owner = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => {
    const client = new pg.Client({ connectionString: postgres.database.url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  };

  const user = await signUp(api.url, 'Faults');
  const brandId = (await ok(api.url, `mutation { createBrand(input: { name: "Acme" }) { id } }`, {}, user.token)).createBrand.id as string;
  await owner(
    `INSERT INTO billing_accounts (workspace_id, plan, stripe_customer_id) VALUES ($1, 'AGENCY', $2)
     ON CONFLICT (workspace_id) DO UPDATE SET plan = 'AGENCY', stripe_customer_id = $2`,
    [user.workspaceId, customer],
  );
  await ok(
    api.url,
    `mutation($url: String!) { createWebhookEndpoint(input: { url: $url, events: [JOB_COMPLETED] }) { endpoint { id } } }`,
    { url: receiverUrl },
    user.token,
  );

  const workers: WorkerProcess[] = [];
  const jobs: string[] = [];
  const stack: Stack = {
    pg: postgres,
    redis,
    api,
    workers,
    token: user.token,
    workspaceId: user.workspaceId,
    brandId,
    customer,
    fake,
    received,
    jobs,
    env,
    owner,
    async startWorker(extra = {}) {
      const worker = await startWorker(postgres.database, { ...env, ...extra });
      workers.push(worker);
      return worker;
    },
    async createJobs(count) {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const data = await ok(
          api.url,
          `mutation($input: GenerateCopyInput!) { generateCopy(input: $input) { id } }`,
          { input: { brandId, channel: 'META_HEADLINE', brief: `Spring launch ${i}`, variants: 1 } },
          user.token,
        );
        ids.push(data.generateCopy.id as string);
      }
      jobs.push(...ids);
      return ids;
    },
    async close() {
      await Promise.all(workers.map((w) => w.stop('SIGKILL')));
      await api.close().catch(() => undefined);
      await new Promise((r) => receiver.close(r));
      await fake.stop();
      await redis.close();
      await postgres.close();
      rmSync(modelDir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** What every fault test asserts once the system has recovered. */
export interface Guarantees {
  jobs: number;
  succeeded: number;
  openReservations: number;
  /** Jobs without exactly one variant row, or without usage, or with a meter billed twice (doubled or missing results). */
  wrongResults: number;
  /** job.completed deliveries not DELIVERED, and completed jobs the receiver never heard of. */
  undeliveredWebhooks: number;
  /** A delivery id seen with two different events (the id must be stable per event). */
  unstableDeliveryIds: number;
  unreportedUsage: number;
  ledgerCredits: number;
  stripeCredits: number;
}

export async function guarantees(stack: Stack): Promise<Guarantees> {
  const ids = stack.jobs;
  const [row] = await stack.owner<Record<string, string>>(
    `SELECT
       (SELECT count(*) FROM generation_jobs WHERE id = ANY($1::uuid[]) AND status = 'SUCCEEDED') AS succeeded,
       (SELECT count(*) FROM credit_reservations WHERE job_id = ANY($1::uuid[]) AND status = 'OPEN') AS open_reservations,
       (SELECT count(*) FROM unnest($1::uuid[]) AS j(id)
         WHERE (SELECT count(*) FROM copy_variants v WHERE v.job_id = j.id) <> 1
            OR (SELECT count(*) FILTER (WHERE quantity > 0) = 0 OR count(*) <> count(DISTINCT meter) FROM usage_events u WHERE u.job_id = j.id)
       ) AS wrong_results,
       (SELECT count(*) FROM unnest($1::uuid[]) AS j(id) WHERE NOT EXISTS (
          SELECT 1 FROM webhook_deliveries d WHERE d.event_key = 'job.completed:' || j.id AND d.status = 'DELIVERED')) AS undelivered,
       (SELECT count(*) FROM usage_events WHERE job_id = ANY($1::uuid[]) AND report_status <> 'REPORTED') AS unreported,
       (SELECT coalesce(sum(credits), 0) FROM usage_events WHERE job_id = ANY($1::uuid[])) AS ledger_credits`,
    [ids],
  );
  const heard = new Set(stack.received.map((r) => r.jobId));
  const eventOf = new Map<string, string>();
  let unstable = 0;
  for (const r of stack.received) {
    const seen = eventOf.get(r.deliveryId);
    if (seen !== undefined && seen !== r.eventId) unstable += 1;
    eventOf.set(r.deliveryId, r.eventId);
  }
  return {
    jobs: ids.length,
    succeeded: Number(row.succeeded),
    openReservations: Number(row.open_reservations),
    wrongResults: Number(row.wrong_results),
    undeliveredWebhooks: Number(row.undelivered) + ids.filter((id) => !heard.has(id)).length,
    unstableDeliveryIds: unstable,
    unreportedUsage: Number(row.unreported),
    ledgerCredits: Number(row.ledger_credits),
    stripeCredits: stack.fake.meteredValue(stack.customer),
  };
}

const healthy = (g: Guarantees) =>
  g.jobs > 0 &&
  g.succeeded === g.jobs &&
  g.openReservations === 0 &&
  g.wrongResults === 0 &&
  g.undeliveredWebhooks === 0 &&
  g.unreportedUsage === 0 &&
  g.ledgerCredits === g.stripeCredits;

/**
 * Waits (up to `boundMs`) for every guarantee to hold, prints how long recovery took from `since`,
 * then asserts each one by name, so a failure says which guarantee broke.
 */
export async function assertRecovered(stack: Stack, label: string, since: number, boundMs = 60_000): Promise<Guarantees> {
  let last: Guarantees | null = null;
  try {
    await waitFor(
      async () => {
        last = await guarantees(stack);
        return healthy(last);
      },
      `${label}: every guarantee to hold`,
      boundMs,
    );
  } catch {
    /* asserted below, one guarantee at a time */
  }
  const g = last ?? (await guarantees(stack));
  console.log(`# ${label}: recovered in ${((Date.now() - since) / 1000).toFixed(1)} s (bound ${boundMs / 1000} s) — ${JSON.stringify(g)}`);
  assert.ok(g.jobs > 0, 'the test created jobs');
  assert.equal(g.succeeded, g.jobs, 'zero lost jobs: every job SUCCEEDED');
  assert.equal(g.openReservations, 0, 'no reservation left open');
  assert.equal(g.wrongResults, 0, 'zero doubled (or missing) results and usage rows');
  assert.equal(g.undeliveredWebhooks, 0, 'zero undelivered webhooks');
  assert.equal(g.unstableDeliveryIds, 0, 'a delivery id always names the same event');
  assert.equal(g.unreportedUsage, 0, 'zero unreported usage');
  assert.equal(g.stripeCredits, g.ledgerCredits, 'Stripe got exactly the ledger’s credits (none doubled, none missing)');
  return g;
}
