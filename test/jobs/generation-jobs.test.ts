import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { startApp, type TestApp } from '../support/app';
import { fails, ok, signUp } from '../support/graphql';
import { verifySignature } from '../../apps/api/src/webhooks/webhook-signature';
import { buildTestModel, ownerQuery, startWorker, subscribe, waitFor, type WorkerProcess } from './support';

/**
 * Generation jobs end to end: the real api over HTTP and graphql-ws, real worker processes
 * (spawned from apps/api/src/worker.ts), PostgreSQL and Redis. The text model is the tiny
 * test-size one, built with EOS suppressed so a job runs long enough to interrupt.
 */
let api: TestApp;
let modelDir: string;
let owner: Awaited<ReturnType<typeof signUp>>;
let brandId: string;
let campaignId: string;
let otherBrandId: string;
const workers: WorkerProcess[] = [];

const workerEnv = () => ({
  MODEL_DIR: modelDir,
  // The test's webhook endpoint listens on 127.0.0.1.
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  WORKER_QUEUES: 'generate-text,webhooks',
  TEXT_CONCURRENCY: '4',
  JOB_LOCK_MS: '1500',
  JOB_STALLED_INTERVAL_MS: '500',
  JOB_SWEEP_INTERVAL_MS: '300',
  JOB_SWEEP_AFTER_MS: '2000',
  WEBHOOK_BACKOFF_MS: '100',
  MAX_COPY_VARIANTS: '20',
  DASHBOARD_DIR: '/nonexistent',
});

async function worker(): Promise<WorkerProcess> {
  const w = await startWorker(api.database, workerEnv());
  workers.push(w);
  return w;
}

const GENERATE = `mutation($input: GenerateCopyInput!) { generateCopy(input: $input) { id status attempts } }`;
const JOB = `query($id: ID!) { job(id: $id) { id status attempts errorCode errorMessage isDemo variants { id rank text status voiceReport { score characters maxChars } } } }`;
const UPDATES = `subscription($id: ID!) { generationUpdated(jobId: $id) { jobId status progress token { variant index text } } }`;

const copy = (extra: Record<string, unknown> = {}) => ({
  brandId,
  campaignId,
  channel: 'META_HEADLINE',
  brief: 'Launch of our spring range',
  variants: 2,
  ...extra,
});

async function createJob(input: Record<string, unknown>): Promise<string> {
  const data = await ok(api.url, GENERATE, { input }, owner.token);
  return data.generateCopy.id as string;
}

async function jobWhen(id: string, statuses: string[]) {
  return waitFor(
    async () => {
      const data = await ok(api.url, JOB, { id }, owner.token);
      return statuses.includes(data.job.status) ? data.job : undefined;
    },
    `job ${id} to be ${statuses.join('/')}`,
  );
}

before(async () => {
  modelDir = buildTestModel();
  api = await startApp(workerEnv());
  owner = await signUp(api.url, 'Jobs');
  const brand = await ok(
    api.url,
    `mutation { createBrand(input: { name: "Acme", palette: ["#0F62FE", "#FFFFFF"] }) { id } }`,
    {},
    owner.token,
  );
  brandId = brand.createBrand.id;
  const campaign = await ok(
    api.url,
    `mutation($b: ID!) { createCampaign(input: { brandId: $b, name: "Spring", objective: SALES }) { id } }`,
    { b: brandId },
    owner.token,
  );
  campaignId = campaign.createCampaign.id;
  const other = await signUp(api.url, 'Other');
  otherBrandId = (await ok(api.url, `mutation { createBrand(input: { name: "Theirs" }) { id } }`, {}, other.token)).createBrand.id;
  // Big jobs below would pass the Free plan's credits; the Agency plan has overage.
  await ownerQuery(
    api.database,
    `INSERT INTO billing_accounts (workspace_id, plan) VALUES ($1, 'AGENCY') ON CONFLICT (workspace_id) DO UPDATE SET plan = 'AGENCY'`,
    [owner.workspaceId],
  );
});

after(async () => {
  await Promise.all(workers.map((w) => w.stop('SIGKILL')));
  await api?.close();
  if (modelDir) rmSync(modelDir, { recursive: true, force: true });
});

describe('generation jobs', () => {
  test('bad input is refused before anything is queued', async () => {
    await fails('NOT_FOUND', api.url, GENERATE, { input: copy({ brandId: '00000000-0000-4000-8000-000000000000' }) }, owner.token);
    await fails('NOT_FOUND', api.url, GENERATE, { input: copy({ brandId: otherBrandId, campaignId: null }) }, owner.token);
    await fails(
      'BAD_USER_INPUT',
      api.url,
      `mutation { generateCopy(input: { brandId: "${brandId}", channel: BILLBOARD, brief: "x" }) { id } }`,
      {},
      owner.token,
    );
    const tooMany = await fails('BAD_USER_INPUT', api.url, GENERATE, { input: copy({ variants: 21 }) }, owner.token);
    assert.equal(tooMany.extensions?.field, 'input.variants');
    await fails(
      'BAD_USER_INPUT',
      api.url,
      `mutation($b: ID!) { generateAdImages(input: { brandId: $b, prompt: "x", formats: [BILLBOARD], headline: "Hi" }) { id } }`,
      { b: brandId },
      owner.token,
    );
    const [{ count }] = await ownerQuery<{ count: string }>(api.database, `SELECT count(*) FROM generation_jobs`);
    assert.equal(Number(count), 0);
    const [{ reservations }] = await ownerQuery<{ reservations: string }>(
      api.database,
      `SELECT count(*) AS reservations FROM credit_reservations`,
    );
    assert.equal(Number(reservations), 0);
  });

  test('a repeated idempotencyKey returns the same job', async () => {
    const input = copy({ idempotencyKey: 'order-42', variants: 1 });
    const [first, second] = await Promise.all([createJob(input), createJob(input)]);
    const third = await createJob(input);
    assert.equal(first, second);
    assert.equal(first, third);
    const rows = await ownerQuery(api.database, `SELECT id FROM generation_jobs WHERE idempotency_key = 'order-42'`);
    assert.equal(rows.length, 1);
  });

  test('a subscriber receives the tokens in order, then SUCCEEDED; variants and usage are stored', async () => {
    await worker();
    const id = await createJob(copy({ variants: 3 }));
    const { done } = subscribe(api.url, owner.token, UPDATES, { id });
    const updates = (await done).map((u) => u.generationUpdated);
    assert.equal(updates.at(-1).status, 'SUCCEEDED');
    const streams = new Map<number, { index: number; text: string }[]>();
    for (const u of updates.filter((x) => x.token)) {
      const list = streams.get(u.token.variant) ?? [];
      list.push(u.token);
      streams.set(u.token.variant, list);
    }
    assert.ok(streams.size >= 3, 'every variant streamed tokens');
    for (const list of streams.values()) {
      for (let i = 1; i < list.length; i++) assert.ok(list[i].index > list[i - 1].index, 'tokens arrive in order');
    }
    const job = await jobWhen(id, ['SUCCEEDED']);
    assert.equal(job.variants.length, 3);
    // Streamed as decoded; the stored text differs at most by the headline-case rewrite
    // (docs/brand-voice.md). Pub/sub keeps no history, so a subscriber that joins after the first
    // tokens sees the rest: a stream whose first index is 0 must spell the whole variant, a later
    // one its end.
    const spelled = [...streams.values()].map((list) => ({
      whole: list[0].index === 0,
      text: list.map((t) => t.text.toLowerCase()).join(''),
    }));
    for (const variant of job.variants) {
      const text = variant.text.toLowerCase();
      assert.ok(
        spelled.some((s) => (s.whole ? s.text === text : s.text.length > 0 && text.endsWith(s.text))),
        `variant ${JSON.stringify(variant.text)} is spelled by its streamed tokens: ${JSON.stringify(spelled)}`,
      );
    }
    assert.equal(job.isDemo, true);
    const usage = await ownerQuery(api.database, `SELECT meter FROM usage_events WHERE job_id = $1 ORDER BY meter`, [id]);
    assert.deepEqual(
      usage.map((u) => u.meter),
      ['text_output_tokens', 'text_prompt_tokens'],
    );
  });

  test('cancel stops a running job: no results, credits released', async () => {
    const id = await createJob(copy({ variants: 20, channel: 'PRODUCT_DESCRIPTION' }));
    const { updates, done } = subscribe(api.url, owner.token, UPDATES, { id });
    await waitFor(async () => updates.some((u) => u.generationUpdated.token), 'the first token');
    await ok(api.url, `mutation($id: ID!) { cancelJob(id: $id) { id } }`, { id }, owner.token);
    await done;
    const job = await jobWhen(id, ['CANCELLED', 'SUCCEEDED']);
    assert.equal(job.status, 'CANCELLED');
    assert.equal(job.variants.length, 0);
    assert.equal((await ownerQuery(api.database, `SELECT 1 FROM usage_events WHERE job_id = $1`, [id])).length, 0);
    const reservations = await ownerQuery<{ status: string }>(api.database, `SELECT status FROM credit_reservations WHERE job_id = $1`, [
      id,
    ]);
    assert.ok(reservations.length > 0 && reservations.every((r) => r.status === 'RELEASED'));
  });

  test('job.completed is delivered signed; a failing endpoint is retried until it answers', async () => {
    const received: Array<{ status: number; body: string; signature: string; event: string }> = [];
    const server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const status = received.length < 2 ? 500 : 200;
        received.push({
          status,
          body,
          signature: String(req.headers['brandwright-signature']),
          event: String(req.headers['brandwright-event']),
        });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const created = await ok(
        api.url,
        `mutation($url: String!) { createWebhookEndpoint(input: { url: $url, events: [JOB_COMPLETED] }) { secret endpoint { id } } }`,
        { url },
        owner.token,
      );
      const secret: string = created.createWebhookEndpoint.secret;
      const id = await createJob(copy({ variants: 1 }));
      await waitFor(async () => received.find((r) => r.status === 200), 'a delivery answered 200');
      assert.equal(received.length, 3, 'two failures, then success');
      const body = JSON.parse(received[2].body);
      assert.equal(body.type, 'job.completed');
      assert.equal(body.data.job.id, id);
      assert.match(received[2].signature, /^t=\d+,v1=[0-9a-f]{64}$/);
      assert.ok(verifySignature(secret, received[2].body, received[2].signature));
      assert.ok(!verifySignature(secret, received[2].body.replace(id, '00000000-0000-4000-8000-000000000000'), received[2].signature));
      const list = await waitFor(async () => {
        const data = await ok(api.url, `{ webhookDeliveries { nodes { status attempts lastStatusCode event } } }`, {}, owner.token);
        const d = data.webhookDeliveries.nodes[0];
        return d?.status === 'DELIVERED' ? data.webhookDeliveries.nodes : undefined;
      }, 'the delivery to be recorded');
      assert.deepEqual(list, [{ status: 'DELIVERED', attempts: 3, lastStatusCode: 200, event: 'JOB_COMPLETED' }]);
    } finally {
      server.close();
    }
  });

  test('a QUEUED row whose queue entry was lost is swept and runs', async () => {
    const id = '5eeded00-0000-4000-8000-000000000001';
    await ownerQuery(
      api.database,
      `INSERT INTO generation_jobs (id, workspace_id, kind, status, brand_id, input, priority, updated_at, created_at)
       VALUES ($1, $2, 'COPY', 'QUEUED', $3, $4, 1, now() - interval '1 hour', now() - interval '1 hour')`,
      [
        id,
        owner.workspaceId,
        brandId,
        JSON.stringify({ channel: 'META_HEADLINE', brief: 'Lost and found', variants: 1, language: 'en', seed: 7 }),
      ],
    );
    const job = await jobWhen(id, ['SUCCEEDED', 'FAILED']);
    assert.equal(job.status, 'SUCCEEDED');
    assert.equal(job.variants.length, 1);
  });

  test('SIGTERM lets the running job finish before the worker exits', async () => {
    const current = workers.at(-1)!;
    const id = await createJob(copy({ variants: 20, channel: 'PRODUCT_DESCRIPTION' }));
    const { updates } = subscribe(api.url, owner.token, UPDATES, { id });
    await waitFor(async () => updates.some((u) => u.generationUpdated.token), 'the first token');
    assert.equal(await current.stop('SIGTERM'), 0);
    const stopping = current.logs.filter((l) => /worker st/.test(String(l.msg)));
    assert.ok(stopping.length === 2, JSON.stringify(stopping));
    const [row] = await ownerQuery<{ status: string }>(api.database, `SELECT status FROM generation_jobs WHERE id = $1`, [id]);
    assert.equal(row.status, 'SUCCEEDED');
  });
});
