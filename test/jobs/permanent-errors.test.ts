import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { startApp, type TestApp } from '../support/app';
import { ok, signUp } from '../support/graphql';
import { JobQueues } from '../../apps/api/src/jobs/job-queues';
import { JobName, QueueName } from '../../apps/api/src/jobs/job-names';
import { buildTestModel, ownerQuery, startWorker, waitFor, type WorkerProcess } from './support';

/**
 * A permanent error (here UNKNOWN_FORMAT from the compositor, for a row whose format the engine
 * does not know) ends the job FAILED after one attempt, with its code and credits released,
 * although JOB_ATTEMPTS allows three. Real worker process, PostgreSQL and Redis.
 */
let api: TestApp;
let modelDir: string;
let worker: WorkerProcess | undefined;
let queues: JobQueues;

before(async () => {
  modelDir = buildTestModel();
  api = await startApp();
  queues = new JobQueues({
    redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    prefix: `bwtest-${api.database.name}`,
    jobAttempts: 3,
    webhookAttempts: 1,
    webhookBackoffMs: 100,
  });
});

after(async () => {
  await worker?.stop('SIGKILL');
  await queues?.close();
  await api?.close();
  if (modelDir) rmSync(modelDir, { recursive: true, force: true });
});

test('UNKNOWN_FORMAT fails the job at once: one attempt, not JOB_ATTEMPTS', async () => {
  const owner = await signUp(api.url, 'Permanent');
  const brandId = (await ok(api.url, `mutation { createBrand(input: { name: "Acme" }) { id } }`, {}, owner.token)).createBrand.id;
  const id = randomUUID();
  await ownerQuery(
    api.database,
    `INSERT INTO generation_jobs (id, workspace_id, kind, status, brand_id, input, priority) VALUES ($1, $2, 'AD_IMAGES', 'QUEUED', $3, $4, 1)`,
    [
      id,
      owner.workspaceId,
      brandId,
      JSON.stringify({ prompt: 'a lemon', formats: ['BILLBOARD'], headline: 'Hi', subline: null, cta: null, variants: 1, seed: 7 }),
    ],
  );
  await ownerQuery(
    api.database,
    `INSERT INTO credit_reservations (workspace_id, job_id, meter, estimated_quantity, credits) VALUES ($1, $2, 'image_medium', 1, 1)`,
    [owner.workspaceId, id],
  );
  worker = await startWorker(api.database, {
    MODEL_DIR: modelDir,
    WORKER_QUEUES: 'generate-image',
    JOB_ATTEMPTS: '3',
    DASHBOARD_DIR: '/nonexistent',
  });
  await queues.addGeneration(QueueName.GENERATE_IMAGE, JobName.GENERATE_AD_IMAGES, { workspaceId: owner.workspaceId, jobId: id }, 1);

  const row = await waitFor(async () => {
    const [r] = await ownerQuery<{ status: string; attempts: number; error_code: string | null }>(
      api.database,
      `SELECT status, attempts, error_code FROM generation_jobs WHERE id = $1`,
      [id],
    );
    return r.status === 'FAILED' ? r : undefined;
  }, 'the job to fail');
  assert.equal(row.error_code, 'UNKNOWN_FORMAT');
  assert.equal(row.attempts, 1, 'a permanent error is not retried');
  const bull = await queues.queue(QueueName.GENERATE_IMAGE).getJob(id);
  assert.ok(bull, 'the queue entry is there');
  assert.equal(bull.attemptsMade, 1, 'BullMQ ran it once');
  const reservations = await ownerQuery<{ status: string }>(api.database, `SELECT status FROM credit_reservations WHERE job_id = $1`, [id]);
  assert.ok(reservations.length > 0);
  assert.deepEqual(new Set(reservations.map((r) => r.status)), new Set(['RELEASED']));
});
