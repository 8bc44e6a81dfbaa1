import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEMO_MODEL_ID } from '@brandwright/generation';
import { startApp, type TestApp } from '../support/app';
import { ok, signUp } from '../support/graphql';
import { buildTestModel, ownerQuery, startWorker, waitFor, type WorkerProcess } from './support';

/**
 * A forward pass that throws ends its job FAILED with a code, within seconds, and the worker goes
 * on serving. The failure is ONNX Runtime's own: the model's tokenizer knows a token
 * (`<|unembeddable|>`) whose id is past the model's embedding table, as with a tokenizer.json
 * that does not match its export, so the prefill's Gather throws "indices element out of data
 * bounds". Real api, real worker process, PostgreSQL, Redis. Before the fix this job stayed
 * RUNNING for ever, renewing its lock.
 */
const FAULT = '<|unembeddable|>';
let api: TestApp;
let modelDir: string;
let worker: WorkerProcess;
let owner: Awaited<ReturnType<typeof signUp>>;
let brandId: string;

const env = () => ({
  MODEL_DIR: modelDir,
  WORKER_QUEUES: 'generate-text',
  TEXT_CONCURRENCY: '4',
  JOB_LOCK_MS: '1500',
  JOB_STALLED_INTERVAL_MS: '500',
  DASHBOARD_DIR: '/nonexistent',
});

const GENERATE = `mutation($input: GenerateCopyInput!) { generateCopy(input: $input) { id } }`;
const JOB = `query($id: ID!) { job(id: $id) { id status attempts errorCode errorMessage variants { text } } }`;

async function finished(id: string, withinMs: number) {
  return waitFor(
    async () => {
      const { job } = await ok(api.url, JOB, { id }, owner.token);
      return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(job.status) ? job : undefined;
    },
    `job ${id} to end`,
    withinMs,
  );
}

before(async () => {
  modelDir = buildTestModel();
  const dir = join(modelDir, DEMO_MODEL_ID);
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { vocab_size: number };
  const tokenizer = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')) as { added_tokens: object[] };
  tokenizer.added_tokens.push({
    id: config.vocab_size + 40,
    content: FAULT,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
  api = await startApp(env());
  owner = await signUp(api.url, 'Failures');
  brandId = (await ok(api.url, `mutation { createBrand(input: { name: "Acme" }) { id } }`, {}, owner.token)).createBrand.id;
  worker = await startWorker(api.database, env());
});

after(async () => {
  await worker?.stop('SIGKILL');
  await api?.close();
  if (modelDir) rmSync(modelDir, { recursive: true, force: true });
});

describe('a forward pass that throws', () => {
  test('ends its job FAILED with INFERENCE_FAILED within seconds; jobs before and after succeed', { timeout: 120_000 }, async () => {
    const input = (brief: string, variants = 2) => ({ brandId, channel: 'META_HEADLINE', brief, variants });
    const good = (await ok(api.url, GENERATE, { input: input('Spring range, fresh colours', 3) }, owner.token)).generateCopy.id;
    const bad = (await ok(api.url, GENERATE, { input: input(`Spring range ${FAULT} launch`) }, owner.token)).generateCopy.id;

    const failed = await finished(bad, 20_000);
    assert.equal(failed.status, 'FAILED');
    assert.equal(failed.errorCode, 'INFERENCE_FAILED');
    assert.match(failed.errorMessage, /prefill/);
    assert.equal(failed.attempts, 1, 'a permanent failure is not retried');
    assert.equal(failed.variants.length, 0);
    const [reservation] = await ownerQuery<{ status: string }>(api.database, `SELECT status FROM credit_reservations WHERE job_id = $1`, [
      bad,
    ]);
    assert.equal(reservation?.status, 'RELEASED');

    assert.equal((await finished(good, 60_000)).status, 'SUCCEEDED');
    const later = (await ok(api.url, GENERATE, { input: input('Autumn range, warm layers') }, owner.token)).generateCopy.id;
    const after = await finished(later, 60_000);
    assert.equal(after.status, 'SUCCEEDED', `${after.errorCode}: ${after.errorMessage}`);
    assert.ok(after.variants.length > 0);
  });

  test(
    'a brief the model cannot hold ends FAILED with PROMPT_TOO_LONG naming the brief, on its first attempt',
    { timeout: 120_000 },
    async () => {
      // 2,000 characters outside the tiny tokenizer's merges: two byte tokens each, past the 2,048-position context.
      const brief = 'жы'.repeat(1000);
      const id = (await ok(api.url, GENERATE, { input: { brandId, channel: 'PRODUCT_DESCRIPTION', brief, variants: 1 } }, owner.token))
        .generateCopy.id;
      const job = await finished(id, 20_000);
      assert.equal(job.status, 'FAILED');
      assert.equal(job.errorCode, 'PROMPT_TOO_LONG');
      assert.match(job.errorMessage, /Cut at least \d+ tokens from the brief \(~\d+ tokens\)/);
      assert.equal(job.attempts, 1);
    },
  );
});
