import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { gql } from '../support/graphql';
import { waitFor } from '../jobs/support';
import { assertRecovered, startStack, type Stack } from './stack';

/**
 * PostgreSQL goes away for 20 s in the middle of a batch (an immediate shutdown: every backend
 * dies at once). Jobs running, starting and finishing at that moment hit connection errors; they
 * must wait the outage out without spending their attempts, record their outcome once the
 * database is back, and leave no reservation open. Before issue 22, all three attempts were spent
 * within seconds, recording the failure failed too, and the sweeper skipped the failed entries:
 * the jobs stayed QUEUED or RUNNING for good.
 */
let stack: Stack;

before(async () => {
  stack = await startStack({ redisPersistence: true });
  await stack.startWorker();
});

after(async () => {
  await stack?.close();
});

test('PostgreSQL down 20 s mid-batch: every job ends SUCCEEDED, nothing doubled, no reservation left open', async () => {
  await stack.createJobs(16);
  // Mid-batch: some jobs done, others running or still queued.
  await waitFor(async () => {
    const [{ n }] = await stack.owner<{ n: string }>(`SELECT count(*) AS n FROM generation_jobs WHERE status = 'SUCCEEDED'`);
    return Number(n) >= 2;
  }, 'the first jobs to finish');
  const [{ unfinished }] = await stack.owner<{ unfinished: string }>(
    `SELECT count(*) AS unfinished FROM generation_jobs WHERE status IN ('QUEUED', 'RUNNING')`,
  );
  assert.ok(Number(unfinished) > 0, 'the outage starts with work in flight');
  await stack.pg.crash();
  const down = Date.now();
  // Clients are told to come back, not that we broke: 503 UNAVAILABLE with Retry-After.
  const read = await gql(stack.api.url, `query($id: ID!) { job(id: $id) { id status } }`, { id: stack.jobs[0] }, stack.token);
  assert.equal(read.errors?.[0]?.extensions?.code, 'UNAVAILABLE', JSON.stringify(read.errors));
  assert.equal(read.status, 503);
  assert.ok(Number(read.headers.get('retry-after')) > 0, 'a Retry-After header');
  const health = await fetch(`${stack.api.url}/healthz`);
  assert.equal(health.status, 200, '/healthz is liveness only');
  const ready = await fetch(`${stack.api.url}/readyz`);
  assert.equal(ready.status, 503);
  assert.equal(((await ready.json()) as { status: string }).status, 'not ready');
  await new Promise((r) => setTimeout(r, 20_000 - (Date.now() - down)));
  await stack.pg.start();
  const back = Date.now();
  await assertRecovered(stack, 'PostgreSQL down 20 s', back, 90_000);
});
