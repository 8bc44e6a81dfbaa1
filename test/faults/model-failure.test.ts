import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DEMO_MODEL_ID } from '@brandwright/generation';
import { startApp, type TestApp } from '../support/app';
import { ok, signUp } from '../support/graphql';
import { buildTestModel, startWorker, waitFor, type WorkerProcess } from '../jobs/support';
import { freePort } from './servers';

/**
 * A worker whose text model cannot be loaded (its model.onnx is corrupt). It must stay up and say
 * so rather than exit: its readiness names the failure, the api's /readyz says no worker has a
 * text model, and jobs waiting for one carry the reason instead of sitting QUEUED in silence.
 */
let api: TestApp;
let worker: WorkerProcess | undefined;
let modelDir: string;

before(async () => {
  modelDir = buildTestModel();
  writeFileSync(join(modelDir, DEMO_MODEL_ID, 'onnx', 'model.onnx'), Buffer.from('this is not an onnx model'));
  api = await startApp({ MODEL_DIR: modelDir, DASHBOARD_DIR: '/nonexistent' });
});

after(async () => {
  await worker?.stop('SIGKILL');
  await api?.close();
  rmSync(modelDir, { recursive: true, force: true });
});

test('a worker that cannot load its model stays up, says so, and waiting jobs show why', async () => {
  const metricsPort = await freePort();
  worker = await startWorker(api.database, {
    MODEL_DIR: modelDir,
    WORKER_QUEUES: 'generate-text,webhooks',
    JOB_SWEEP_INTERVAL_MS: '300',
    JOB_SWEEP_AFTER_MS: '500',
    METRICS_PORT: String(metricsPort),
    DASHBOARD_DIR: '/nonexistent',
  });
  assert.equal(worker.child.exitCode, null, 'the worker is still running');
  // Its own readiness (the metrics listener) says why it is not ready.
  const own = await fetch(`http://127.0.0.1:${metricsPort}/readyz`);
  assert.equal(own.status, 503);
  const ownBody = (await own.json()) as { ready: boolean; textModel?: string };
  assert.equal(ownBody.ready, false);
  assert.match(ownBody.textModel ?? '', /^failed: /);
  const owner = await signUp(api.url, 'Model');
  const brandId = (await ok(api.url, `mutation { createBrand(input: { name: "Acme" }) { id } }`, {}, owner.token)).createBrand.id;
  const created = await ok(
    api.url,
    `mutation($input: GenerateCopyInput!) { generateCopy(input: $input) { id } }`,
    { input: { brandId, channel: 'META_HEADLINE', brief: 'Spring', variants: 1 } },
    owner.token,
  );
  const job = await waitFor(async () => {
    const data = await ok(
      api.url,
      `query($id: ID!) { job(id: $id) { status errorMessage } }`,
      { id: created.generateCopy.id },
      owner.token,
    );
    return data.job.errorMessage ? data.job : undefined;
  }, 'the waiting job to carry a reason');
  assert.equal(job.status, 'QUEUED');
  assert.match(job.errorMessage, /^waiting: no worker has a text model/);

  const ready = await fetch(`${api.url}/readyz`);
  const body = (await ready.json()) as { status: string; checks: Array<{ name: string; ok: boolean; error?: string }> };
  assert.notEqual(body.status, 'ready', `the api does not claim all is well: ${JSON.stringify(body)}`);
  const workers = body.checks.find((c) => c.name === 'workers');
  assert.equal(workers?.ok, false);
  assert.match(workers?.error ?? '', /no worker has a text model \(failed: /);
  assert.equal(worker.child.exitCode, null, 'the worker is still running');
});
