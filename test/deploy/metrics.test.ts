import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { coreModules } from '../../apps/api/src/app.module';
import { loadConfig } from '../../apps/api/src/config/config';
import { createLogger } from '../../apps/api/src/common/logging/logger';
import { Metrics } from '../../apps/api/src/metrics/metrics.service';
import { startApp, type TestApp } from '../support/app';
import { sample } from './prometheus-text';

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';

async function scrape(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  return res.text();
}

describe('GET /metrics on the api', () => {
  let api: TestApp;
  let prefix: string;
  before(async () => {
    // The dashboard's static files are not what this file tests.
    api = await startApp({ DASHBOARD_DIR: '/nonexistent-dashboard', METRICS_TOKEN });
    prefix = `bwtest-${api.database.name}`;
  });
  after(async () => {
    await api.close();
  });

  test('answers with the bearer token, labelled role="api", and carries process metrics', async () => {
    const text = await scrape(api.url);
    assert.ok(sample(text, 'process_cpu_user_seconds_total', { role: 'api' })! >= 0);
    assert.match(text, /# TYPE brandwright_http_request_duration_seconds histogram/);
  });

  test('HTTP latency counts each request under its route pattern', async () => {
    const before =
      sample(await scrape(api.url), 'brandwright_http_request_duration_seconds_count', { route: '/healthz', status_code: '200' }) ?? 0;
    for (let i = 0; i < 3; i++) assert.equal((await fetch(`${api.url}/healthz`)).status, 200);
    const text = await scrape(api.url);
    assert.equal(
      sample(text, 'brandwright_http_request_duration_seconds_count', { method: 'GET', route: '/healthz', status_code: '200' }),
      before + 3,
    );
    assert.ok(sample(text, 'brandwright_http_request_duration_seconds_sum', { route: '/healthz' })! > 0);
  });

  test('GraphQL latency counts operations by type, name and outcome', async () => {
    const post = (query: string, operationName?: string) =>
      fetch(`${api.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, operationName }),
      });
    // The label is the operation's first root field (bounded by the schema), not the client's name.
    await (await post('query Probe { plans { id } }')).json();
    await (await post('query Probe { plans { id } }')).json();
    await (await post('query Other { plans { id } } query Chosen { __typename }', 'Chosen')).json();
    const failed = (await (await post('query Broken { me { id } }')).json()) as { errors?: unknown[] };
    assert.ok(failed.errors?.length, 'an unauthenticated `me` fails');
    const text = await scrape(api.url);
    const count = (labels: Record<string, string>) => sample(text, 'brandwright_graphql_operation_duration_seconds_count', labels);
    assert.equal(count({ operation_type: 'query', operation_name: 'plans', outcome: 'error' }), 2, 'plans needs a sign-in');
    assert.equal(count({ operation_type: 'query', operation_name: 'other', outcome: 'success' }), 1);
    assert.equal(count({ operation_name: 'Probe' }), undefined);
    assert.equal(count({ operation_type: 'query', operation_name: 'me', outcome: 'error' }), 1);
  });

  test('queue depth and the oldest waiting job age come from Redis at scrape time', async () => {
    const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
    // Where and how jobs/job-queues.ts enqueues: under `<REDIS_PREFIX>:bull`, with a priority.
    const queue = new Queue('generate-text', { connection: { url: redisUrl }, prefix: `${prefix}:bull` });
    await queue.add('generate-copy', { n: 1 }, { priority: 1, timestamp: Date.now() - 90_000 });
    await queue.add('generate-copy', { n: 2 }, { priority: 2, timestamp: Date.now() - 5_000 });
    await queue.add('generate-copy', { n: 3 }, { timestamp: Date.now() - 30_000 });
    await queue.add('generate-copy', { n: 4 }, { delay: 60_000 });
    // Prioritized jobs are not in the wait list: a list-length trigger would not see them.
    const redis = new Redis(redisUrl);
    assert.equal(await redis.llen(`${prefix}:bull:generate-text:wait`), 1);
    assert.equal(await redis.zcard(`${prefix}:bull:generate-text:prioritized`), 2);
    await redis.quit();

    const text = await scrape(api.url);
    assert.equal(sample(text, 'brandwright_queue_jobs', { queue: 'generate-text', state: 'waiting' }), 1);
    assert.equal(sample(text, 'brandwright_queue_jobs', { queue: 'generate-text', state: 'prioritized' }), 2);
    assert.equal(sample(text, 'brandwright_queue_jobs', { queue: 'generate-text', state: 'delayed' }), 1);
    assert.equal(sample(text, 'brandwright_queue_jobs', { queue: 'generate-image', state: 'waiting' }), 0);
    const age = sample(text, 'brandwright_queue_oldest_waiting_job_age_seconds', { queue: 'generate-text' })!;
    assert.ok(age >= 90 && age < 600, `oldest age ${age}`);
    assert.equal(sample(text, 'brandwright_queue_oldest_waiting_job_age_seconds', { queue: 'generate-image' }), 0);
    assert.equal(sample(text, 'brandwright_queue_stats_up'), 1);

    await queue.obliterate({ force: true });
    const drained = await scrape(api.url);
    assert.equal(sample(drained, 'brandwright_queue_jobs', { queue: 'generate-text', state: 'prioritized' }), 0);
    assert.equal(sample(drained, 'brandwright_queue_oldest_waiting_job_age_seconds', { queue: 'generate-text' }), 0);
    await queue.close();
  });

  test('work reported through Metrics shows up: jobs, tokens, images, provider, Stripe lag', async () => {
    const metrics = api.app.get(Metrics);
    metrics.jobCompleted('generate-text', 1.5);
    metrics.jobCompleted('generate-text', 0.5);
    metrics.jobFailed('generate-image', 3);
    metrics.tokensGenerated(120, 2);
    metrics.tokensGenerated(30);
    metrics.imagesGenerated(4, 8);
    metrics.executionProvider('cuda', 'text');
    metrics.executionProvider('cpu', 'text');
    metrics.executionProvider('cpu', 'image');
    metrics.stripeReportingLag(42);
    const text = await scrape(api.url);
    assert.equal(sample(text, 'brandwright_job_duration_seconds_count', { queue: 'generate-text', outcome: 'completed' }), 2);
    assert.equal(sample(text, 'brandwright_job_duration_seconds_sum', { queue: 'generate-text', outcome: 'completed' }), 2);
    assert.equal(sample(text, 'brandwright_job_duration_seconds_bucket', { queue: 'generate-text', outcome: 'completed', le: '1' }), 1);
    assert.equal(sample(text, 'brandwright_job_duration_seconds_count', { queue: 'generate-image', outcome: 'failed' }), 1);
    assert.equal(sample(text, 'brandwright_generated_tokens_total'), 150);
    assert.equal(sample(text, 'brandwright_text_generation_seconds_total'), 2);
    assert.equal(sample(text, 'brandwright_generated_images_total'), 4);
    assert.equal(sample(text, 'brandwright_execution_provider', { engine: 'text', provider: 'cpu' }), 1);
    assert.equal(
      sample(text, 'brandwright_execution_provider', { engine: 'text', provider: 'cuda' }),
      undefined,
      'the replaced provider is gone',
    );
    assert.equal(sample(text, 'brandwright_execution_provider', { engine: 'image', provider: 'cpu' }), 1);
    assert.equal(sample(text, 'brandwright_stripe_reporting_lag_seconds'), 42);
  });

  test('client-chosen operation names cannot grow the series without bound', async () => {
    const metrics = new Metrics('api');
    metrics.knownOperationsAre(['brands', 'generateCopy']);
    for (const name of ['brands', 'A', 'B', 'C', 'bad name!', undefined]) metrics.observeGraphqlOperation('query', name, 'success', 0.01);
    const { body } = await metrics.render();
    const names = new Set([...body.matchAll(/operation_name="([^"]*)"/g)].map((m) => m[1]));
    assert.deepEqual([...names].sort(), ['brands', 'other']);
  });
});

describe('the worker (no HTTP server) serves /metrics on METRICS_PORT', () => {
  let context: INestApplicationContext;
  let url: string;
  before(async () => {
    const port = await freePort();
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: 'postgres://unused@127.0.0.1:1/unused',
      REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_PREFIX: `bwtest-worker-metrics-${process.pid}`,
      JWT_SECRET: 'x'.repeat(32),
      METRICS_PORT: String(port),
      LOG_LEVEL: 'silent',
    });
    @Module({ imports: coreModules(config, createLogger('silent', 'worker-test')) })
    class WorkerLikeModule {}
    context = await NestFactory.createApplicationContext(WorkerLikeModule, { logger: false });
    await context.init();
    url = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    await context.close();
  });

  test('GET /metrics is labelled role="worker", reports queues and moves with work', async () => {
    const first = await scrape(url);
    assert.equal(sample(first, 'brandwright_generated_images_total', { role: 'worker' }), 0);
    assert.equal(sample(first, 'brandwright_queue_jobs', { queue: 'generate-image', state: 'waiting' }), 0);
    context.get(Metrics).imagesGenerated(3, 1.2);
    context.get(Metrics).jobCompleted('generate-image', 1.2);
    const second = await scrape(url);
    assert.equal(sample(second, 'brandwright_generated_images_total', { role: 'worker' }), 3);
    assert.equal(sample(second, 'brandwright_job_duration_seconds_count', { queue: 'generate-image', outcome: 'completed' }), 1);
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    assert.equal((await fetch(`${url}/anything-else`)).status, 404);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
