import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import { startApp, type TestApp } from '../support/app';
import { ok, signUp } from '../support/graphql';
import { buildTestModel, startWorker, waitFor, type WorkerProcess } from '../jobs/support';
import { sample } from './prometheus-text';

/**
 * The real worker process, a real copy job, and the worker's own /metrics: job duration, tokens
 * and the execution provider move because the work happened, not because a test said so.
 */
let api: TestApp;
let worker: WorkerProcess;
let modelDir: string;
let metricsPort: number;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

before(async () => {
  api = await startApp({ DASHBOARD_DIR: '/nonexistent' });
  modelDir = buildTestModel();
  metricsPort = await freePort();
  worker = await startWorker(api.database, { MODEL_DIR: modelDir, WORKER_QUEUES: 'generate-text', METRICS_PORT: String(metricsPort) });
});

after(async () => {
  await worker?.stop();
  await api?.close();
  rmSync(modelDir, { recursive: true, force: true });
});

const scrape = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();

test('a copy job moves the worker’s job, token and provider metrics', async () => {
  const before = await scrape();
  assert.equal(
    sample(before, 'brandwright_execution_provider', { engine: 'text', provider: 'cpu' }),
    1,
    'the text engine reports the provider it runs on',
  );
  const jobsBefore = sample(before, 'brandwright_job_duration_seconds_count', { queue: 'generate-text', outcome: 'completed' }) ?? 0;
  const tokensBefore = sample(before, 'brandwright_generated_tokens_total') ?? 0;

  const owner = await signUp(api.url, 'Metered');
  const brand = await ok(api.url, `mutation { createBrand(input: { name: "Metered" }) { id } }`, {}, owner.token);
  const job = await ok(
    api.url,
    `mutation($b: ID!) { generateCopy(input: { brandId: $b, channel: META_HEADLINE, brief: "Spring", variants: 1 }) { id } }`,
    { b: brand.createBrand.id },
    owner.token,
  );
  const status = await waitFor(
    async () => {
      const data = await ok(api.url, `query($id: ID!) { job(id: $id) { status errorMessage } }`, { id: job.generateCopy.id }, owner.token);
      return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(data.job.status) && `${data.job.status} ${data.job.errorMessage ?? ''}`;
    },
    'the job to finish',
    120_000,
  );
  assert.match(status, /^SUCCEEDED/);

  const afterJob = await waitFor(async () => {
    const text = await scrape();
    return (
      (sample(text, 'brandwright_job_duration_seconds_count', { queue: 'generate-text', outcome: 'completed' }) ?? 0) > jobsBefore && text
    );
  }, 'the job to be counted');
  assert.ok((sample(afterJob, 'brandwright_generated_tokens_total') ?? 0) > tokensBefore, 'tokens were counted');
  assert.ok((sample(afterJob, 'brandwright_job_duration_seconds_sum', { queue: 'generate-text', outcome: 'completed' }) ?? 0) > 0);
});
