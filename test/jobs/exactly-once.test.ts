import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, afterEach, before, describe, test } from 'node:test';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { startApp, type TestApp } from '../support/app';
import { ok, signUp } from '../support/graphql';
import { bullPrefix } from '../../apps/api/src/jobs/job-queues';
import { QueueName } from '../../apps/api/src/jobs/job-names';
import {
  buildTestModel,
  closeCommitGate,
  completionAudit,
  installCommitGate,
  installCompletionAudit,
  ownerQuery,
  startWorker,
  subscribe,
  waitFor,
  type WorkerProcess,
} from './support';

/**
 * Exactly once, under the failures a worker really meets: killed mid-job, killed right after the
 * completion commit, frozen past its lock while another worker finishes the job, two workers on
 * one job. Real api, real worker processes, PostgreSQL and Redis.
 *
 * The tables have UNIQUE indexes that would silently absorb a second completion, so each test
 * also reads an audit (triggers installed by the test) that records every completion and every
 * attempted usage / variant / webhook insert: a job completed twice fails here even when the
 * tables look clean.
 */
let api: TestApp;
let modelDir: string;
let owner: Awaited<ReturnType<typeof signUp>>;
let brandId: string;
let redis: Redis;
let queue: Queue;
const workers: WorkerProcess[] = [];

const workerEnv = () => ({
  MODEL_DIR: modelDir,
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  WORKER_QUEUES: 'generate-text',
  TEXT_CONCURRENCY: '2',
  JOB_LOCK_MS: '1500',
  JOB_STALLED_INTERVAL_MS: '500',
  JOB_SWEEP_INTERVAL_MS: '300',
  JOB_SWEEP_AFTER_MS: '2000',
  MAX_COPY_VARIANTS: '20',
  DASHBOARD_DIR: '/nonexistent',
});

async function worker(): Promise<WorkerProcess> {
  const w = await startWorker(api.database, workerEnv());
  workers.push(w);
  return w;
}

const GENERATE = `mutation($input: GenerateCopyInput!) { generateCopy(input: $input) { id } }`;
const UPDATES = `subscription($id: ID!) { generationUpdated(jobId: $id) { jobId status token { variant } } }`;

async function createJob(variants: number, channel = 'PRODUCT_DESCRIPTION'): Promise<string> {
  const data = await ok(api.url, GENERATE, { input: { brandId, channel, brief: 'Launch of our spring range', variants } }, owner.token);
  return data.generateCopy.id as string;
}

async function status(id: string): Promise<{ status: string; attempts: number }> {
  const [row] = await ownerQuery<{ status: string; attempts: number }>(
    api.database,
    `SELECT status, attempts FROM generation_jobs WHERE id = $1`,
    [id],
  );
  return row;
}

async function firstToken(id: string): Promise<void> {
  const { updates, done } = subscribe(api.url, owner.token, UPDATES, { id });
  done.catch(() => undefined);
  await waitFor(async () => updates.some((u) => u.generationUpdated.token), 'the first token');
}

/** One set of results, one usage row per meter, one job.completed outbox row, settled credits: written once, and non-empty. */
async function assertCompletedOnce(id: string, variants: number): Promise<void> {
  const row = await status(id);
  assert.equal(row.status, 'SUCCEEDED');
  const stored = await ownerQuery<{ rank: number }>(api.database, `SELECT rank FROM copy_variants WHERE job_id = $1 ORDER BY rank`, [id]);
  assert.equal(stored.length, variants, 'one set of results');
  assert.deepEqual(
    stored.map((v) => v.rank),
    [...Array(variants).keys()],
  );
  const usage = await ownerQuery<{ meter: string; n: number }>(
    api.database,
    `SELECT meter, count(*)::int AS n FROM usage_events WHERE job_id = $1 GROUP BY meter ORDER BY meter`,
    [id],
  );
  assert.deepEqual(
    usage.map((u) => [u.meter, u.n]),
    [
      ['text_output_tokens', 1],
      ['text_prompt_tokens', 1],
    ],
  );
  const reservations = await ownerQuery<{ status: string }>(api.database, `SELECT status FROM credit_reservations WHERE job_id = $1`, [id]);
  assert.ok(reservations.length > 0, 'the job reserved credits');
  assert.deepEqual(new Set(reservations.map((r) => r.status)), new Set(['SETTLED']));

  const audit = await completionAudit(api.database, id);
  assert.equal(audit.completions, 1, 'the job was completed exactly once');
  assert.deepEqual(audit.usage, [
    ['text_output_tokens', 1],
    ['text_prompt_tokens', 1],
  ]);
  assert.deepEqual(
    audit.variants.map(([rank, n]) => [Number(rank), n]).sort((a, b) => a[0] - b[0]),
    [...Array(variants).keys()].map((rank) => [rank, 1]),
    'each variant written once',
  );
  assert.equal(audit.webhooks.length, 1, 'one job.completed outbox row');
  assert.equal(audit.webhooks[0][1], 1, 'recorded once');
}

before(async () => {
  modelDir = buildTestModel();
  api = await startApp(workerEnv());
  await installCompletionAudit(api.database);
  await installCommitGate(api.database);
  owner = await signUp(api.url, 'Once');
  brandId = (await ok(api.url, `mutation { createBrand(input: { name: "Acme" }) { id } }`, {}, owner.token)).createBrand.id;
  await ownerQuery(
    api.database,
    `INSERT INTO billing_accounts (workspace_id, plan) VALUES ($1, 'AGENCY') ON CONFLICT (workspace_id) DO UPDATE SET plan = 'AGENCY'`,
    [owner.workspaceId],
  );
  // Never delivered (this worker runs no webhook queue): the outbox rows are what is counted.
  await ok(
    api.url,
    `mutation { createWebhookEndpoint(input: { url: "http://127.0.0.1:9/hook", events: [JOB_COMPLETED] }) { endpoint { id } } }`,
    {},
    owner.token,
  );
  redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  queue = new Queue(QueueName.GENERATE_TEXT, { connection: redis, prefix: bullPrefix(`bwtest-${api.database.name}`) });
});

after(async () => {
  await Promise.all(workers.map((w) => (w.child.kill('SIGCONT'), w.stop('SIGKILL'))));
  await queue?.close();
  await redis?.quit();
  await api?.close();
  if (modelDir) rmSync(modelDir, { recursive: true, force: true });
});

async function killAll(): Promise<void> {
  await Promise.all(workers.splice(0).map((w) => (w.child.kill('SIGCONT'), w.stop('SIGKILL'))));
}

describe('exactly once', () => {
  afterEach(killAll);

  test('kill -9 mid-job: another worker completes it once', async () => {
    const first = await worker();
    const id = await createJob(20);
    await firstToken(id);
    first.child.kill('SIGKILL');
    await first.exited;
    assert.equal((await status(id)).status, 'RUNNING', 'the worker died mid-job');
    await worker();
    const row = await waitFor(async () => {
      const r = await status(id);
      return ['SUCCEEDED', 'FAILED'].includes(r.status) ? r : undefined;
    }, 'the job to end');
    assert.equal(row.attempts, 2);
    await assertCompletedOnce(id, 20);
  });

  test('kill -9 right after the completion transaction commits: the re-run finds it done', async () => {
    const first = await worker();
    const gate = await closeCommitGate(api.database);
    let id: string;
    try {
      id = await createJob(2, 'META_HEADLINE');
      await waitFor(gate.waiting, 'the completion to reach COMMIT');
      first.child.kill('SIGSTOP');
    } finally {
      await gate.open();
    }
    await waitFor(async () => (await status(id)).status === 'SUCCEEDED', 'the commit to land');
    first.child.kill('SIGKILL');
    await first.exited;
    assert.equal(await queue.getJobState(id), 'active', 'BullMQ never heard that the job finished');
    await worker();
    // The new worker's stalled check takes the job back and runs it: it must find it done.
    await waitFor(async () => (await queue.getJobState(id)) === 'completed', 'the re-run to finish in BullMQ');
    await assertCompletedOnce(id, 2);
    assert.equal((await status(id)).attempts, 1, 'the re-run did not start the job again');
  });

  test('a worker frozen past its lock while another finishes the job completes nothing when it wakes', async () => {
    const frozen = await worker();
    const id = await createJob(20);
    await firstToken(id);
    frozen.child.kill('SIGSTOP');
    await worker();
    await waitFor(async () => (await status(id)).status === 'SUCCEEDED', 'the other worker to finish the job', 120_000);
    frozen.child.kill('SIGCONT');
    // SIGTERM waits for the frozen worker's run (handler, then its completion attempt) to end.
    assert.equal(await frozen.stop('SIGTERM'), 0);
    assert.ok(
      frozen.logs.some((l) => l.msg === 'worker stopped'),
      'the frozen worker woke up and finished its run',
    );
    await assertCompletedOnce(id, 20);
    assert.equal((await status(id)).attempts, 2, 'both workers ran the job');
  });

  test('two workers racing one job complete it once', async () => {
    await Promise.all([worker(), worker()]);
    const id = await createJob(4, 'META_HEADLINE');
    // A second queue entry for the same row (as a re-enqueue racing the first would make).
    await queue.add('generate-copy', { workspaceId: owner.workspaceId, jobId: id }, { jobId: `${id}-again` });
    await waitFor(async () => (await queue.getJobState(`${id}-again`)) === 'completed', 'the second entry to be processed');
    await waitFor(async () => (await queue.getJobState(id)) === 'completed', 'the first entry to be processed');
    const row = await status(id);
    assert.ok(row.attempts >= 1);
    await assertCompletedOnce(id, 4);
  });
});
