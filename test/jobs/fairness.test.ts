import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { Worker } from 'bullmq';
import Redis from 'ioredis';
import { PLANS } from '@brandwright/billing';
import { startApp, type TestApp } from '../support/app';
import { ok, signUp } from '../support/graphql';
import { createLogger } from '../../apps/api/src/common/logging/logger';
import { TenantDb } from '../../apps/api/src/database/tenant-db';
import { FairScheduler } from '../../apps/api/src/generation/fair-scheduler';
import { GenerationEvents } from '../../apps/api/src/generation/generation-events';
import { JobRunner, type JobResults } from '../../apps/api/src/generation/job-runner';
import { JobQueues, bullPrefix } from '../../apps/api/src/jobs/job-queues';
import { JobName, QUEUE_NAMES, QueueName, type GenerationJobPayload } from '../../apps/api/src/jobs/job-names';
import type { JobHandler } from '../../apps/api/src/jobs/job-handler';
import { QueueWorkers } from '../../apps/api/src/jobs/queue-workers';
import { WebhookOutbox } from '../../apps/api/src/webhooks/webhook-outbox';
import { ownerQuery, waitFor } from './support';

/**
 * Fairness through the real path: jobs admitted as the api admits them (FairScheduler priority
 * from the plan's weight), consumed by the real QueueWorkers and JobRunner (slot, begin, handler,
 * complete in PostgreSQL) with a handler that only takes a little time. The workspace cap (2) is
 * below the worker's concurrency (3), and the two workspaces are on plans of unequal weight.
 */
const CAP = 2;
const CONCURRENCY = 3;
const JOBS = 30;

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
let api: TestApp;
let redis: Redis;
let queues: JobQueues;
let workers: QueueWorkers | undefined;

before(async () => {
  api = await startApp();
  redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
});

after(async () => {
  await workers?.close();
  await queues?.close();
  await redis?.quit();
  await api?.close();
});

async function workspaceOn(plan: 'FREE' | 'AGENCY'): Promise<{ workspaceId: string; brandId: string }> {
  const user = await signUp(api.url, plan);
  const brandId = (await ok(api.url, `mutation { createBrand(input: { name: "Acme" }) { id } }`, {}, user.token)).createBrand.id;
  await ownerQuery(
    api.database,
    `INSERT INTO billing_accounts (workspace_id, plan) VALUES ($1, $2) ON CONFLICT (workspace_id) DO UPDATE SET plan = $2`,
    [user.workspaceId, plan],
  );
  return { workspaceId: user.workspaceId, brandId };
}

test(`a workspace never runs more than ${CAP} jobs at once, and the heavier plan's burst waits for the lighter plan's`, async () => {
  const prefix = `bwtest-${api.database.name}`;
  const fair = new FairScheduler(redis, prefix, CAP);
  queues = new JobQueues({ redisUrl, prefix, jobAttempts: 1, webhookAttempts: 1, webhookBackoffMs: 100 });
  const logger = createLogger('warn', 'fairness-test');
  const runner = new JobRunner(
    api.app.get(TenantDb),
    fair,
    new GenerationEvents(redis, prefix),
    new WebhookOutbox(queues, logger),
    logger,
    { leaseMs: 10_000 },
  );

  const free = await workspaceOn('FREE');
  const agency = await workspaceOn('AGENCY');
  assert.ok(PLANS.FREE.queuePriority > PLANS.AGENCY.queuePriority, 'the plans weigh differently');
  const label = new Map([
    [free.workspaceId, 'free'],
    [agency.workspaceId, 'agency'],
  ]);

  // The free workspace's burst is queued first; the agency's right after.
  for (const [{ workspaceId, brandId }, plan] of [
    [free, 'FREE'],
    [agency, 'AGENCY'],
  ] as const) {
    const rows = await ownerQuery<{ id: string }>(
      api.database,
      `INSERT INTO generation_jobs (id, workspace_id, kind, status, brand_id, input, priority)
       SELECT gen_random_uuid(), $1, 'COPY', 'QUEUED', $2, '{}'::jsonb, $3 FROM generate_series(1, $4)
       RETURNING id`,
      [workspaceId, brandId, PLANS[plan].queuePriority, JOBS],
    );
    for (const { id } of rows) {
      const priority = await fair.admit(workspaceId, id, PLANS[plan].queuePriority);
      await queues.addGeneration(QueueName.GENERATE_TEXT, JobName.GENERATE_COPY, { workspaceId, jobId: id }, priority);
    }
  }

  const running = new Map<string, number>();
  const most = new Map<string, number>();
  let runningAll = 0;
  let mostAll = 0;
  const finished: string[] = [];
  const handler = async ({ row }: { row: { workspaceId: string } }): Promise<JobResults> => {
    const ws = label.get(row.workspaceId)!;
    running.set(ws, (running.get(ws) ?? 0) + 1);
    most.set(ws, Math.max(most.get(ws) ?? 0, running.get(ws)!));
    mostAll = Math.max(mostAll, ++runningAll);
    await sleep(120);
    running.set(ws, running.get(ws)! - 1);
    runningAll--;
    finished.push(ws);
    return { usage: {}, modelId: null, isDemo: true, write: async () => undefined, summary: {} };
  };
  // The runner under the registry's consumer, as a worker process runs a generation job.
  const generateCopy: JobHandler<GenerationJobPayload> = { process: (job, token) => runner.run(job, token, handler) };
  workers = new QueueWorkers((name) => (name === JobName.GENERATE_COPY ? (generateCopy as JobHandler) : undefined), {
    redisUrl,
    prefix,
    queues: [QueueName.GENERATE_TEXT],
    concurrency: Object.fromEntries(QUEUE_NAMES.map((q) => [q, q === QueueName.GENERATE_TEXT ? CONCURRENCY : 1])) as Record<
      QueueName,
      number
    >,
    lockMs: 10_000,
    stalledIntervalMs: 10_000,
    logger,
  });
  workers.start();
  const succeeded = async () =>
    (await ownerQuery<{ n: number }>(api.database, `SELECT count(*)::int AS n FROM generation_jobs WHERE status = 'SUCCEEDED'`))[0].n;
  await waitFor(async () => (await succeeded()) === 2 * JOBS, 'every job to run through the runner to SUCCEEDED', 120_000);
  assert.equal(finished.length, 2 * JOBS, 'each job ran its handler once');

  // The cap: the worker had room for 3, yet no workspace ever ran more than 2.
  assert.ok(mostAll > CAP, `the worker ran more jobs at once (${mostAll}) than one workspace may`);
  assert.equal(most.get('agency'), CAP, `the agency ran at most ${CAP} at once (and did reach it)`);
  assert.ok(most.get('free')! <= CAP, `the free workspace ran at most ${CAP} at once (saw ${most.get('free')})`);

  // The weight: the agency's jobs (weight 1) overtake the free burst queued before them (weight 10).
  const agencyDone = finished.lastIndexOf('agency') + 1;
  const freeBeforeThen = finished.slice(0, agencyDone).filter((w) => w === 'free').length;
  assert.ok(
    freeBeforeThen <= JOBS * 0.7,
    `when the agency's ${JOBS} jobs were done, ${freeBeforeThen} of the free workspace's were (order: ${finished.map((w) => w[0]).join('')})`,
  );
});

test('a slot frees when its job finishes or its lease lapses; a job renews its own slot', async () => {
  const fair = new FairScheduler(redis, `bwtest-${api.database.name}-lease`, 2);
  assert.equal(await fair.tryStart('W', 'j1', 10_000), true);
  assert.equal(await fair.tryStart('W', 'j2', 150), true);
  assert.equal(await fair.tryStart('W', 'j3', 10_000), false);
  assert.equal(await fair.tryStart('W', 'j1', 10_000), true, 'a job renews the slot it holds');
  assert.equal(await fair.tryStart('other', 'k1', 10_000), true, 'other workspaces are not limited by W');
  await sleep(200); // j2's worker "died": its lease lapses
  assert.equal(await fair.tryStart('W', 'j3', 10_000), true);
  assert.equal(await fair.tryStart('W', 'j4', 10_000), false);
  await fair.finish('W', 'j1');
  assert.equal(await fair.tryStart('W', 'j4', 10_000), true);
});

test('equal plans: 5 jobs of workspace B finish long before workspace A’s 500 queued before them', async () => {
  // The backlog position, on its own: same weight, no cap in the way, a processor that only takes
  // and frees the slot. B's k-th job competes with A's k-th.
  const prefix = `bwtest-${api.database.name}-burst`;
  const fair = new FairScheduler(redis, prefix, 4);
  const burst = new JobQueues({ redisUrl, prefix, jobAttempts: 1, webhookAttempts: 1, webhookBackoffMs: 100 });
  const enqueue = async (workspaceId: string, count: number) => {
    const jobs = [];
    for (let i = 0; i < count; i++) {
      const jobId = `${workspaceId}-${i}`;
      jobs.push({
        name: JobName.GENERATE_COPY,
        data: { workspaceId, jobId },
        opts: { jobId, priority: await fair.admit(workspaceId, jobId, 10) },
      });
    }
    await burst.queue(QueueName.GENERATE_TEXT).addBulk(jobs);
  };
  await enqueue('A', 500);
  await enqueue('B', 5);
  const finished: string[] = [];
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const worker = new Worker(
    QueueName.GENERATE_TEXT,
    async (job) => {
      const { workspaceId, jobId } = job.data as { workspaceId: string; jobId: string };
      assert.ok(await fair.tryStart(workspaceId, jobId, 10_000));
      finished.push(workspaceId);
      await fair.finish(workspaceId, jobId);
    },
    { connection, prefix: bullPrefix(prefix), concurrency: 4 },
  );
  await new Promise<void>((resolve) => worker.on('drained', resolve));
  await worker.close();
  await connection.quit();
  await burst.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);

  assert.equal(finished.length, 505);
  const lastB = finished.lastIndexOf('B');
  assert.ok(lastB < 16, `B's last job finished as job #${lastB + 1} of 505`);
  assert.equal(finished.slice(0, 16).filter((w) => w === 'A').length >= 8, true, 'A was not starved either');
});
