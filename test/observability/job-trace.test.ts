import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { INestApplicationContext } from '@nestjs/common';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTelemetry, type Telemetry } from '../../apps/api/src/telemetry/telemetry';
import type { TestApp } from '../support/app';

/**
 * One generation job is one trace, from the api request to the worker's settle: the real api over
 * HTTP and the real worker module (both in this process, so one in-memory exporter sees every
 * span), PostgreSQL and Redis. The worker gets the trace context only through the job's data in
 * Redis: BullMQ runs the job from its own polling loop, not from the request.
 */
const exporter = new InMemorySpanExporter();
let telemetry: Telemetry;
let api: TestApp;
let worker: INestApplicationContext;
let modelDir: string;
let env: Record<string, string>;
let workerProcess: { stop(): Promise<unknown> } | undefined;
let receiver: Server | undefined;
let owner: { token: string };
let brandId: string;

before(async () => {
  // Before the app's modules load, so http and graphql are instrumented as in main.ts.
  telemetry = startTelemetry({ serviceName: 'trace-test', spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const { startApp, testEnv } = await import('../support/app');
  const { buildTestModel } = await import('../jobs/support');
  const { NestFactory } = await import('@nestjs/core');
  const { loadConfig } = await import('../../apps/api/src/config/config');
  const { createLogger } = await import('../../apps/api/src/common/logging/logger');
  const { WorkerModule } = await import('../../apps/api/src/worker.module');
  modelDir = buildTestModel();
  env = { MODEL_DIR: modelDir, WORKER_QUEUES: 'generate-text', METRICS_PORT: '0', DASHBOARD_DIR: '/nonexistent' };
  api = await startApp(env);
  const config = loadConfig(testEnv(api.database, env));
  worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, createLogger('warn', 'worker-test')), { logger: false });
  await worker.init();
  const { ok, signUp } = await import('../support/graphql');
  owner = await signUp(api.url, 'Traces');
  const brand = await ok(
    api.url,
    `mutation { createBrand(input: { name: "Acme", palette: ["#0F62FE", "#FFFFFF"] }) { id } }`,
    {},
    owner.token,
  );
  brandId = brand.createBrand.id;
});

async function generateCopy(): Promise<string> {
  const { ok } = await import('../support/graphql');
  const created = await ok(
    api.url,
    `mutation($input: GenerateCopyInput!) { generateCopy(input: $input) { id } }`,
    { input: { brandId, channel: 'META_HEADLINE', brief: 'Spring range', variants: 1 } },
    owner.token,
  );
  return created.generateCopy.id as string;
}

after(async () => {
  await worker?.close();
  await workerProcess?.stop();
  receiver?.close();
  await api?.close();
  await telemetry?.shutdown();
  if (modelDir) rmSync(modelDir, { recursive: true, force: true });
});

const idOf = (span: ReadableSpan) => span.spanContext().spanId;
const traceOf = (span: ReadableSpan) => span.spanContext().traceId;
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

/** The span and its ancestors, nearest first, as far as this process saw them. */
function ancestry(span: ReadableSpan, all: ReadableSpan[]): ReadableSpan[] {
  const chain = [span];
  for (let parent = parentOf(span); parent;) {
    const next = all.find((s) => idOf(s) === parent);
    if (!next) break;
    chain.push(next);
    parent = parentOf(next);
  }
  return chain;
}

test('a copy job is one trace: request → graphql → reserve, enqueue → job → queue wait, generate, settle', async () => {
  const { waitFor } = await import('../jobs/support');
  const jobId = await generateCopy();
  const spanOfJob = (name: string) => (s: ReadableSpan) => s.name === name && s.attributes['job.id'] === jobId;
  await waitFor(
    async () => exporter.getFinishedSpans().some((s) => s.name.startsWith('job ') && s.attributes['job.id'] === jobId && s.ended),
    'the job span to end',
  );
  const spans = exporter.getFinishedSpans();

  // The api side: the reserve and enqueue spans sit under the GraphQL operation and its HTTP request.
  const reserve = spans.find(spanOfJob('reserve'));
  const enqueue = spans.find(spanOfJob('enqueue'));
  assert.ok(reserve, 'a reserve span');
  assert.ok(enqueue, 'an enqueue span');
  assert.equal(enqueue.kind, SpanKind.PRODUCER);
  for (const span of [reserve, enqueue]) {
    const chain = ancestry(span, spans);
    const root = chain[chain.length - 1];
    assert.equal(root.kind, SpanKind.SERVER, `${span.name} leads up to the HTTP request: ${chain.map((s) => s.name).join(' ← ')}`);
    assert.equal(parentOf(root), undefined, 'the HTTP request span is the root');
    assert.ok(
      chain.some((s) => s.name.startsWith('graphql')),
      `${span.name} is inside a GraphQL span: ${chain.map((s) => s.name).join(' ← ')}`,
    );
  }
  assert.equal(traceOf(reserve), traceOf(enqueue));

  // The worker side: the job span is the enqueue span's child (its context came in the job data),
  // and the job's steps are the job span's children, in order.
  const jobSpans = spans.filter((s) => s.name.startsWith('job ') && s.attributes['job.id'] === jobId);
  assert.equal(jobSpans.length, 1, 'one run of the job');
  const [job] = jobSpans;
  assert.equal(job.kind, SpanKind.CONSUMER);
  assert.equal(traceOf(job), traceOf(enqueue), 'the job continues the request trace');
  assert.equal(parentOf(job), idOf(enqueue), 'the job span is the enqueue span child');

  const steps = ['queue wait', 'generate', 'settle'].map((name) => {
    const found = spans.filter((s) => s.name === name && parentOf(s) === idOf(job));
    assert.equal(found.length, 1, `one ${name} span under the job span`);
    assert.equal(traceOf(found[0]), traceOf(job));
    return found[0];
  });
  const startOf = (s: ReadableSpan) => s.startTime[0] * 1e9 + s.startTime[1];
  const endOf = (s: ReadableSpan) => s.endTime[0] * 1e9 + s.endTime[1];
  const [wait, generate, settle] = steps;
  assert.ok(startOf(wait) <= endOf(wait) && endOf(wait) <= startOf(generate), 'queue wait ends before generate starts');
  assert.ok(endOf(generate) <= startOf(settle), 'generate ends before settle starts');
  assert.ok(startOf(wait) >= startOf(enqueue), 'the queue wait starts once the job is in the queue');

  // Every span of this job's story shares the one trace id.
  const story = spans.filter((s) => traceOf(s) === traceOf(job));
  for (const name of ['reserve', 'enqueue', 'queue wait', 'generate', 'settle']) {
    assert.ok(
      story.some((s) => s.name === name),
      `${name} in the job's trace`,
    );
  }
});

/** The attributes of an OTLP/JSON span or resource, as plain values. */
type OtlpAttributes = Array<{ key: string; value: Record<string, unknown> }>;
const attrs = (list: OtlpAttributes = []) => Object.fromEntries(list.map(({ key, value }) => [key, Object.values(value)[0]]));
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: OtlpAttributes;
  service: string;
}

test('the worker process exports its spans over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set, in the request trace', async () => {
  const { startWorker, waitFor } = await import('../jobs/support');
  // An OTLP/HTTP receiver: what a collector would get.
  const received: OtlpSpan[] = [];
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const payload = JSON.parse(body) as {
          resourceSpans: Array<{ resource: { attributes: OtlpAttributes }; scopeSpans: Array<{ spans: Omit<OtlpSpan, 'service'>[] }> }>;
        };
        for (const rs of payload.resourceSpans) {
          const service = String(attrs(rs.resource.attributes)['service.name']);
          for (const ss of rs.scopeSpans) for (const span of ss.spans) received.push({ ...span, service });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  // The jobs now go to a separate worker process (as production runs it), which exports over OTLP.
  await worker.close();
  worker = undefined as unknown as INestApplicationContext;
  workerProcess = await startWorker(api.database, { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: '100' });
  const jobId = await generateCopy();
  const job = await waitFor(
    async () => received.find((s) => s.name.startsWith('job ') && attrs(s.attributes)['job.id'] === jobId),
    'the worker to export the job span',
  );
  await waitFor(async () => received.some((s) => s.name === 'settle' && s.parentSpanId === job.spanId), 'the settle span');

  const enqueue = exporter.getFinishedSpans().find((s) => s.name === 'enqueue' && s.attributes['job.id'] === jobId);
  assert.ok(enqueue, 'the api made an enqueue span');
  assert.equal(job.service, 'brandwright-worker');
  assert.equal(job.traceId, traceOf(enqueue), 'the worker continues the api request trace');
  assert.equal(job.parentSpanId, idOf(enqueue), 'the job span is the api enqueue span child');
  for (const name of ['queue wait', 'generate', 'settle']) {
    const children = received.filter((s) => s.name === name && s.parentSpanId === job.spanId);
    assert.equal(children.length, 1, `one ${name} span under the worker's job span`);
    assert.equal(children[0].traceId, job.traceId);
  }
});
