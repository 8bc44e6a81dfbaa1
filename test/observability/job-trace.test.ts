import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
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
  const env = { MODEL_DIR: modelDir, WORKER_QUEUES: 'generate-text', METRICS_PORT: '0', DASHBOARD_DIR: '/nonexistent' };
  api = await startApp(env);
  const config = loadConfig(testEnv(api.database, env));
  worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, createLogger('warn', 'worker-test')), { logger: false });
  await worker.init();
});

after(async () => {
  await worker?.close();
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
  const { ok, signUp } = await import('../support/graphql');
  const { waitFor } = await import('../jobs/support');
  const owner = await signUp(api.url, 'Traces');
  const brand = await ok(
    api.url,
    `mutation { createBrand(input: { name: "Acme", palette: ["#0F62FE", "#FFFFFF"] }) { id } }`,
    {},
    owner.token,
  );
  const created = await ok(
    api.url,
    `mutation($input: GenerateCopyInput!) { generateCopy(input: $input) { id } }`,
    { input: { brandId: brand.createBrand.id, channel: 'META_HEADLINE', brief: 'Spring range', variants: 1 } },
    owner.token,
  );
  const jobId = created.generateCopy.id as string;
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
