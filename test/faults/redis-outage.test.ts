import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { gql } from '../support/graphql';
import { waitFor } from '../jobs/support';
import { assertRecovered, startStack, type Stack } from './stack';

/**
 * Redis killed (kill -9) for 20 s, then back with its data (append-only file) or empty (its data
 * lost, as a fresh instance without persistence), and Redis wiped in place (FLUSHALL). Queue
 * entries, webhook deliveries in the queue, the fairness bookkeeping and the billing schedules
 * all live in Redis; PostgreSQL is the truth. Each test asserts that every job still succeeds once,
 * every webhook is delivered and every usage row reaches Stripe, on its own.
 */
let stack: Stack;

before(async () => {
  stack = await startStack({ redisPersistence: true });
  await stack.startWorker();
});

after(async () => {
  await stack?.close();
});

async function midBatch(count: number): Promise<void> {
  const ids = await stack.createJobs(count);
  await waitFor(async () => {
    const [{ n }] = await stack.owner<{ n: string }>(
      `SELECT count(*) AS n FROM generation_jobs WHERE id = ANY($1::uuid[]) AND status = 'SUCCEEDED'`,
      [ids],
    );
    return Number(n) >= 2;
  }, 'the first jobs of the batch to finish');
}

async function outage(fresh: boolean): Promise<void> {
  await stack.redis.kill();
  const down = Date.now();
  try {
    await whileDown();
  } finally {
    // Back after 20 s even when a check above failed, so the next test starts from a running Redis.
    await new Promise((r) => setTimeout(r, Math.max(0, 20_000 - (Date.now() - down))));
    await stack.redis.start({ fresh });
  }
}

async function whileDown(): Promise<void> {
  // Degraded, not down: liveness and readiness answer their own JSON, reads served by PostgreSQL work.
  const health = await fetch(`${stack.api.url}/healthz`);
  assert.equal(health.status, 200, '/healthz checks no dependency');
  const ready = await fetch(`${stack.api.url}/readyz`);
  const body = (await ready.json()) as { status: string; checks: Array<{ name: string; ok: boolean }> };
  assert.equal(body.checks.find((c) => c.name === 'redis')?.ok, false, '/readyz reports Redis down in its own body');
  assert.equal(body.checks.find((c) => c.name === 'database')?.ok, true);
  const read = await gql(stack.api.url, `query($id: ID!) { job(id: $id) { id status } }`, { id: stack.jobs[0] }, stack.token);
  assert.equal(read.errors, undefined, `a read that needs only PostgreSQL works without Redis: ${JSON.stringify(read.errors)}`);
  // A mutation that needs the queue commits (the sweeper enqueues it later) or says to retry.
  const created = await gql(
    stack.api.url,
    `mutation($input: GenerateCopyInput!) { generateCopy(input: $input) { id status } }`,
    { input: { brandId: stack.brandId, channel: 'META_HEADLINE', brief: 'Made while Redis was down', variants: 1 } },
    stack.token,
  );
  if (created.data?.generateCopy) {
    assert.equal(created.data.generateCopy.status, 'QUEUED');
    stack.jobs.push(created.data.generateCopy.id as string);
  } else {
    assert.equal(created.errors?.[0]?.extensions?.code, 'UNAVAILABLE', JSON.stringify(created.errors));
    assert.equal(created.status, 503);
    assert.ok(Number(created.headers.get('retry-after')) > 0, 'a Retry-After header');
  }
}

test('Redis down 20 s, back with its data: nothing lost, nothing doubled', async () => {
  await midBatch(10);
  await outage(false);
  await assertRecovered(stack, 'Redis down 20 s (persistent)', Date.now(), 60_000);
});

test('Redis down 20 s, back empty (data lost): queue entries, webhooks and usage reporting recover on their own', async () => {
  await midBatch(10);
  await outage(true);
  await assertRecovered(stack, 'Redis down 20 s (data lost)', Date.now(), 60_000);
});

test('Redis wiped in place (FLUSHALL): the billing schedules come back and reporting resumes', async () => {
  await stack.redis.command((c) => c.flushall());
  const wiped = Date.now();
  await stack.createJobs(4);
  await assertRecovered(stack, 'FLUSHALL', wiped, 60_000);
});
