import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Injectable, Module, type Type } from '@nestjs/common';
import { DiscoveryModule, NestFactory } from '@nestjs/core';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { testEnv } from '../../../../test/support/app';
import { loadConfig } from '../config/config';
import { createLogger } from '../common/logging/logger';
import { WorkerModule } from '../worker.module';
import { JOB_NAMES, JobName } from './job-names';
import { JobHandler } from './job-handler';
import { JobRegistry } from './job-registry';

/** A handler class for one job name, as a feature would write it. */
function handlerFor(name: JobName, label: string = name): Type {
  @JobHandler(name)
  @Injectable()
  class TestHandler implements JobHandler {
    async process(): Promise<unknown> {
      return label;
    }
  }
  Object.defineProperty(TestHandler, 'name', { value: `Handler(${label})` });
  return TestHandler;
}

async function boot(handlers: Type[]): Promise<JobRegistry> {
  @Module({ imports: [DiscoveryModule], providers: [JobRegistry, ...handlers] })
  class RegistryUnderTest {}
  const app = await NestFactory.createApplicationContext(RegistryUnderTest, { logger: false, abortOnError: false });
  const registry = app.get(JobRegistry);
  await app.close();
  return registry;
}

describe('job registry', () => {
  let database: TestDatabase | undefined;
  after(() => database?.drop());

  test('finds one handler per job name', async () => {
    const registry = await boot(JOB_NAMES.map((name) => handlerFor(name)));
    for (const name of JOB_NAMES) assert.equal(await registry.handler(name)!.process({} as never, undefined), name);
  });

  test('start-up fails when a job has no handler', async () => {
    const some = JOB_NAMES.filter((n) => n !== JobName.RECONCILE_USAGE).map((name) => handlerFor(name));
    await assert.rejects(boot(some), /reconcile-usage has no handler/);
  });

  test('start-up fails when a job has two handlers', async () => {
    const twice = [...JOB_NAMES.map((name) => handlerFor(name)), handlerFor(JobName.GENERATE_COPY, 'another generate-copy')];
    await assert.rejects(boot(twice), /generate-copy has 2 handlers \(Handler\(generate-copy\), Handler\(another generate-copy\)\)/);
  });

  test('the worker registers a handler for every job, whatever queues it consumes', async () => {
    database = await createTestDatabase();
    const config = loadConfig(testEnv(database, { WORKER_QUEUES: 'webhooks', METRICS_PORT: '0' }));
    const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, createLogger('warn', 'registry-test')), {
      logger: false,
      abortOnError: false,
    });
    try {
      await app.init();
      const registry = app.get(JobRegistry);
      const owners = JOB_NAMES.map((name) => registry.handler(name)?.constructor.name);
      assert.deepEqual(owners, [
        'GenerateCopyHandler',
        'GenerateAdImagesHandler',
        'DeliverWebhookHandler',
        'ReportUsageHandler',
        'ReconcileUsageHandler',
      ]);
    } finally {
      await app.close();
    }
  });
});
