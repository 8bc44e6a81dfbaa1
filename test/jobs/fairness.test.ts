import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { Worker } from 'bullmq';
import Redis from 'ioredis';
import { FairScheduler } from '../../apps/api/src/generation/fair-scheduler';
import { JobQueues, bullPrefix } from '../../apps/api/src/generation/job-queues';
import { JobName, QueueName } from '../../apps/api/src/generation/queues';

/**
 * Fairness on the real queue path (FairScheduler priorities + BullMQ on Redis), with a no-op
 * processor: a burst of 500 jobs from workspace A, then 5 from B. B's jobs must not wait for A's.
 */
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `bwtest-fair-${randomBytes(4).toString('hex')}`;
const redis = new Redis(redisUrl);

after(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

test('5 jobs of workspace B finish long before workspace A’s 500 are drained', async () => {
  const fair = new FairScheduler(redis, prefix, 4);
  const queues = new JobQueues({ redisUrl, prefix, jobAttempts: 1, webhookAttempts: 1, webhookBackoffMs: 100 });
  const queue = queues.queue(QueueName.GENERATE_TEXT);
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
    await queue.addBulk(jobs);
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
  await queues.close();

  assert.equal(finished.length, 505);
  const lastB = finished.lastIndexOf('B');
  // B's k-th job competes with A's k-th: all five are done within the first ~2×5 (+ concurrency) jobs.
  assert.ok(lastB < 16, `B's last job finished as job #${lastB + 1} of 505`);
  assert.equal(await redis.scard(`${prefix}:fair:backlog:A`), 0, 'the backlog empties as jobs finish');
});

test('a workspace runs at most WORKSPACE_CONCURRENCY jobs at once; a slot frees when its job finishes or its lease lapses', async () => {
  const fair = new FairScheduler(redis, prefix, 2);
  assert.equal(await fair.tryStart('W', 'j1', 10_000), true);
  assert.equal(await fair.tryStart('W', 'j2', 150), true);
  assert.equal(await fair.tryStart('W', 'j3', 10_000), false);
  assert.equal(await fair.tryStart('W', 'j1', 10_000), true, 'a job renews the slot it holds');
  assert.equal(await fair.tryStart('other', 'k1', 10_000), true, 'other workspaces are not limited by W');
  await new Promise((r) => setTimeout(r, 200)); // j2's worker "died": its lease lapses
  assert.equal(await fair.tryStart('W', 'j3', 10_000), true);
  assert.equal(await fair.tryStart('W', 'j4', 10_000), false);
  await fair.finish('W', 'j1');
  assert.equal(await fair.tryStart('W', 'j4', 10_000), true);
});
