import assert from 'node:assert/strict';
import { rmSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { BrandwrightClient, BrandwrightError, OPERATIONS, verifyWebhook } from '../../clients/node/src';
import { generate } from '../../clients/node/scripts/generate';
import { signatureHeader } from '../../apps/api/src/webhooks/webhook-signature';
import { startApp, type TestApp } from '../support/app';
import { type WorkerProcess, buildTestModel, startWorker } from '../jobs/support';

describe('the generated operations', () => {
  test('clients/node/src/generated.ts is what the committed schema generates', async () => {
    const fresh = await generate(readFileSync('apps/api/schema.graphql', 'utf8'));
    assert.ok(fresh === readFileSync('clients/node/src/generated.ts', 'utf8'), 'run clients/node/scripts/generate.ts');
  });

  test('cover every query, mutation and subscription of the schema', () => {
    const schema = readFileSync('apps/api/schema.graphql', 'utf8');
    for (const [kind, type] of [
      ['query', 'Query'],
      ['mutation', 'Mutation'],
      ['subscription', 'Subscription'],
    ] as const) {
      const block = schema.slice(schema.indexOf(`type ${type} {`), schema.indexOf('\n}', schema.indexOf(`type ${type} {`)));
      const fields = [...block.matchAll(/^ {2}(\w+)[(:]/gm)].map((m) => m[1]);
      assert.ok(fields.length > 0, `${type} has fields`);
      for (const field of fields) {
        const op = (OPERATIONS as Record<string, { kind: string }>)[field];
        assert.equal(op?.kind, kind, `${type}.${field} has a typed operation`);
      }
    }
  });
});

describe('retries', () => {
  test('a 429 is retried after Retry-After, and a generation keeps one idempotency key across attempts', async () => {
    const bodies: Array<{ variables: { input: { idempotencyKey?: string } } }> = [];
    const server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        bodies.push(JSON.parse(raw));
        if (bodies.length < 3) {
          res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '0.05' });
          res.end(JSON.stringify({ errors: [{ message: 'Too many', extensions: { code: 'RATE_LIMITED' } }] }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data: { generateCopy: { id: 'job-1' } } }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const client = new BrandwrightClient({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: 'k' });
      const job = await client.mutate('generateCopy', { input: { brandId: 'b', brief: 'x', channel: 'META_HEADLINE' } });
      assert.equal(job.id, 'job-1');
      assert.equal(bodies.length, 3);
      const keys = new Set(bodies.map((b) => b.variables.input.idempotencyKey));
      assert.equal(keys.size, 1, 'the same key on every attempt');
      assert.match([...keys][0] ?? '', /^[0-9a-f-]{36}$/);
    } finally {
      server.close();
    }
  });
});

describe('webhook verification', () => {
  const secret = 'whsec_test_secret';
  const body = JSON.stringify({ id: 'job.completed:1', type: 'job.completed', createdAt: '2026-12-01T00:00:00Z', data: {} });
  test('accepts what the api signs', () => {
    const check = verifyWebhook(secret, { 'Brandwright-Signature': signatureHeader(secret, body) }, body);
    assert.ok(check.ok && check.event.type === 'job.completed');
  });
  test('refuses, never throws, on anything else', () => {
    const cases: Array<Record<string, string>> = [
      {},
      { 'brandwright-signature': '' },
      { 'brandwright-signature': 'garbage' },
      { 'brandwright-signature': 't=,v1=' },
      { 'brandwright-signature': signatureHeader('another secret', body) },
      { 'brandwright-signature': signatureHeader(secret, body, Math.floor(Date.now() / 1000) - 3600) },
    ];
    for (const headers of cases) {
      const check = verifyWebhook(secret, headers, body);
      assert.equal(check.ok, false, JSON.stringify(headers));
    }
    assert.equal(verifyWebhook(secret, { 'brandwright-signature': signatureHeader(secret, 'not json') }, 'not json').ok, false);
  });
});

describe('generation end to end through the client', () => {
  let api: TestApp;
  let worker: WorkerProcess;
  let modelDir: string;
  before(async () => {
    modelDir = buildTestModel();
    const env = { MODEL_DIR: modelDir, WORKER_QUEUES: 'generate-text', TEXT_CONCURRENCY: '2', DASHBOARD_DIR: '/nonexistent' };
    api = await startApp(env);
    worker = await startWorker(api.database, env);
  });
  after(async () => {
    await worker?.stop('SIGKILL');
    await api?.close();
    if (modelDir) rmSync(modelDir, { recursive: true, force: true });
  });

  test('sign up, a brand, an API key, generateCopy, its updates over graphql-ws, the finished job', async () => {
    const anonymous = new BrandwrightClient({ url: api.url });
    const session = await anonymous.mutate('signUp', {
      input: { email: `client-${Date.now()}@example.com`, password: 'correct horse battery', name: 'Client' },
    });
    const person = new BrandwrightClient({ url: api.url, token: session.accessToken });
    const brand = await person.mutate('createBrand', { input: { name: 'Acme', palette: ['#0F62FE'] } });
    const created = await person.mutate('createApiKey', { input: { name: 'agency', scopes: ['READ', 'GENERATE'] } });
    const client = new BrandwrightClient({ url: api.url, token: created.secret });
    try {
      const job = await client.mutate('generateCopy', {
        input: { brandId: brand.id, brief: 'Spring range launch', channel: 'META_HEADLINE', variants: 1 },
      });
      assert.match(job.idempotencyKey ?? '', /^[0-9a-f-]{36}$/, 'the client gave the job an idempotency key');
      const again = await client.mutate('generateCopy', {
        input: {
          brandId: brand.id,
          brief: 'Spring range launch',
          channel: 'META_HEADLINE',
          variants: 1,
          idempotencyKey: job.idempotencyKey,
        },
      });
      assert.equal(again.id, job.id, 'a repeat with the key returns the first job');

      const statuses: string[] = [];
      await client.subscribe('generationUpdated', { jobId: job.id }, (update) => statuses.push(update.status));
      assert.ok(statuses.length > 0);
      assert.equal(statuses.at(-1), 'SUCCEEDED', statuses.join(','));

      const done = await client.query('job', { id: job.id });
      assert.equal(done.status, 'SUCCEEDED');
      assert.ok(done.variants.length === 1 && done.variants[0].text.length > 0, JSON.stringify(done.variants));

      await assert.rejects(
        client.mutate('createBrand', { input: { name: 'Not with a READ/GENERATE key' } }),
        (err: unknown) => err instanceof BrandwrightError && err.code === 'FORBIDDEN',
      );
    } finally {
      await client.close();
    }
  });
});
