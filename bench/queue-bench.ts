/**
 * npm run bench:queue — the job queue path against bare BullMQ on the same Redis.
 * 1. Enqueue-to-start latency (p50, p99) and jobs/s through a no-op processor:
 *    this path = FairScheduler.admit (backlog set + priority) + JobQueues.addGeneration (prioritized
 *    job, id = row id) + the runner's slot take/finish; baseline = queue.add + a bare Worker.
 * 2. Soak: 1,000 copy jobs through one in-process worker sharing one TextEngine (tiny model),
 *    printing resident memory after job 100 and after job 1,000.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { DEMO_MODEL_ID, TextEngine, buildTinyTextModel, generateVariants } from '@brandwright/generation';
import { FairScheduler } from '../apps/api/src/generation/fair-scheduler';
import { JobQueues, bullPrefix } from '../apps/api/src/jobs/job-queues';
import { JobName, QueueName } from '../apps/api/src/jobs/job-names';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const N = 2000;
const CONCURRENCY = 8;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

interface Result {
  p50: number;
  p99: number;
  perSecond: number;
}

async function measure(
  add: (i: number, at: number) => Promise<unknown>,
  process: (data: { at: number; workspaceId: string; jobId: string }) => Promise<void>,
  prefix: string,
): Promise<Result> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const latencies: number[] = [];
  let done = 0;
  let finish!: () => void;
  const all = new Promise<void>((r) => (finish = r));
  const worker = new Worker(
    QueueName.GENERATE_TEXT,
    async (job) => {
      latencies.push(performance.now() - job.data.at);
      await process(job.data);
      if (++done === N) finish();
    },
    { connection, prefix: bullPrefix(prefix), concurrency: CONCURRENCY },
  );
  await worker.waitUntilReady();
  const started = performance.now();
  for (let i = 0; i < N; i++) await add(i, performance.now());
  await all;
  const seconds = (performance.now() - started) / 1000;
  await worker.close();
  await connection.quit();
  return { p50: pct(latencies, 50), p99: pct(latencies, 99), perSecond: N / seconds };
}

async function cleanup(redis: Redis, prefix: string) {
  const keys = await redis.keys(`${prefix}:*`);
  for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
}

async function main() {
  const redis = new Redis(redisUrl);
  const run = randomBytes(3).toString('hex');

  // Bare BullMQ.
  const barePrefix = `bwbench-bare-${run}`;
  const bareQueue = new Queue(QueueName.GENERATE_TEXT, { connection: redis, prefix: bullPrefix(barePrefix) });
  const bare = await measure(
    (i, at) =>
      bareQueue.add(JobName.GENERATE_COPY, { at, workspaceId: `w${i % 10}`, jobId: `j${i}` }, { jobId: `j${i}`, removeOnComplete: true }),
    async () => undefined,
    barePrefix,
  );
  await bareQueue.close();

  // This path.
  const ourPrefix = `bwbench-ours-${run}`;
  const fair = new FairScheduler(redis, ourPrefix, 1000);
  const queues = new JobQueues({ redisUrl, prefix: ourPrefix, jobAttempts: 3, webhookAttempts: 1, webhookBackoffMs: 100 });
  const ours = await measure(
    async (i, at) => {
      const workspaceId = `w${i % 10}`;
      const jobId = `j${i}`;
      const priority = await fair.admit(workspaceId, jobId, 10);
      await queues
        .queue(QueueName.GENERATE_TEXT)
        .add(JobName.GENERATE_COPY, { at, workspaceId, jobId }, { jobId, priority, removeOnComplete: true });
    },
    async ({ workspaceId, jobId }) => {
      await fair.tryStart(workspaceId, jobId, 60_000);
      await fair.finish(workspaceId, jobId);
    },
    ourPrefix,
  );
  await queues.close();
  await cleanup(redis, barePrefix);
  await cleanup(redis, ourPrefix);

  const f = (x: number) => x.toFixed(2);
  console.log(`queue: ${N} no-op jobs, concurrency ${CONCURRENCY}, 10 workspaces, one Redis`);
  console.log(`  brandwright path  enqueue→start p50 ${f(ours.p50)} ms  p99 ${f(ours.p99)} ms  ${ours.perSecond.toFixed(0)} jobs/s`);
  console.log(`  bare BullMQ       enqueue→start p50 ${f(bare.p50)} ms  p99 ${f(bare.p99)} ms  ${bare.perSecond.toFixed(0)} jobs/s`);
  console.log(
    `  ratio (ours/bare) p50 ${f(ours.p50 / bare.p50)}×  p99 ${f(ours.p99 / bare.p99)}×  throughput ${f(ours.perSecond / bare.perSecond)}×`,
  );

  // Soak.
  const modelDir = mkdtempSync(join(tmpdir(), 'bw-queue-bench-'));
  buildTinyTextModel({ dir: join(modelDir, DEMO_MODEL_ID), size: 'test', name: DEMO_MODEL_ID });
  const engine = await TextEngine.start({ modelDir, executionProvider: 'cpu', maxBatchSize: 32 });
  const soakPrefix = `bwbench-soak-${run}`;
  const soakQueue = new Queue(QueueName.GENERATE_TEXT, { connection: redis, prefix: bullPrefix(soakPrefix) });
  const brand = {
    name: 'Acme',
    description: 'Outdoor gear',
    audience: 'hikers',
    toneTraits: [],
    preferredTerms: [],
    requiredTerms: [],
    bannedTerms: ['cheap'],
    styleRules: {
      oxfordComma: true,
      contractions: true,
      exclamationMarks: false,
      emoji: false,
      headlineCase: 'sentence' as const,
      targetReadingGrade: null,
    },
    exampleCopy: [],
  };
  const SOAK = 1000;
  const rss: Record<number, number> = {};
  let soaked = 0;
  let soakDone!: () => void;
  const soakAll = new Promise<void>((r) => (soakDone = r));
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const soakStart = performance.now();
  const worker = new Worker(
    QueueName.GENERATE_TEXT,
    async (job) => {
      await generateVariants(engine, {
        brand,
        channel: 'GOOGLE_RSA_HEADLINE',
        brief: `Spring sale ${job.data.i}`,
        variants: 2,
        seed: job.data.i,
      });
      soaked += 1;
      if (soaked === 100 || soaked === SOAK) rss[soaked] = process.memoryUsage().rss;
      if (soaked === SOAK) soakDone();
    },
    { connection, prefix: bullPrefix(soakPrefix), concurrency: CONCURRENCY },
  );
  await soakQueue.addBulk(
    Array.from({ length: SOAK }, (_, i) => ({
      name: JobName.GENERATE_COPY,
      data: { i },
      opts: { jobId: `s${i}`, removeOnComplete: true },
    })),
  );
  await soakAll;
  const soakSeconds = (performance.now() - soakStart) / 1000;
  await worker.close();
  await connection.quit();
  await soakQueue.close();
  await engine.close();
  await cleanup(redis, soakPrefix);
  await redis.quit();
  rmSync(modelDir, { recursive: true, force: true });
  const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
  console.log(
    `soak: ${SOAK} copy jobs (2 variants each, tiny model) through one worker, concurrency ${CONCURRENCY}, ${(SOAK / soakSeconds).toFixed(1)} jobs/s`,
  );
  console.log(
    `  RSS after job 100: ${mb(rss[100])} MB; after job 1000: ${mb(rss[SOAK])} MB; growth ${(((rss[SOAK] - rss[100]) / rss[100]) * 100).toFixed(1)}% (target < 10%)`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
