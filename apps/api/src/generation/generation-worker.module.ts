import { Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../config/config';
import { LOGGER } from '../common/logging/logger.module';
import { TenantDb } from '../database/tenant-db';
import { JobsCoreModule } from '../jobs/jobs-core.module';
import { JobWorkerModule } from '../jobs/job-worker.module';
import { Metrics } from '../metrics/metrics.service';
import { WebhookOutbox } from '../webhooks/webhook-outbox';
import { FairScheduler } from './fair-scheduler';
import { GenerateAdImagesHandler } from './generate-ad-images.handler';
import { GenerateCopyHandler } from './generate-copy.handler';
import { GenerationEvents } from './generation-events';
import { InferenceEngines } from './inference-engines';
import { JobRunner } from './job-runner';
import { WorkerRuntime } from './worker-runtime';

/** Generation in the worker: the engines (one per process), the job runner, the two generation job handlers. */
@Module({
  imports: [JobsCoreModule, JobWorkerModule],
  providers: [
    {
      provide: InferenceEngines,
      inject: [AppConfig, LOGGER, Metrics],
      useFactory: (config: AppConfig, logger: Logger, metrics: Metrics) => {
        const v = config.values;
        return new InferenceEngines({
          modelDir: v.MODEL_DIR,
          textModelId: v.TEXT_MODEL_ID,
          textStallTimeoutMs: v.TEXT_STALL_TIMEOUT_MS,
          executionProvider: v.EXECUTION_PROVIDER,
          threads: v.INFERENCE_THREADS,
          maxBatchSize: Math.max(4, v.TEXT_CONCURRENCY * 4),
          logger,
          onEngineStarted: (engine, provider) => metrics.executionProvider(provider, engine),
        });
      },
    },
    {
      provide: JobRunner,
      inject: [TenantDb, FairScheduler, GenerationEvents, WebhookOutbox, LOGGER, AppConfig],
      useFactory: (db: TenantDb, fair: FairScheduler, events: GenerationEvents, outbox: WebhookOutbox, logger: Logger, config: AppConfig) =>
        new JobRunner(db, fair, events, outbox, logger, {
          leaseMs: config.values.JOB_LOCK_MS * 2,
          outageBudgetMs: config.values.OUTAGE_BUDGET_MS,
        }),
    },
    GenerateCopyHandler,
    GenerateAdImagesHandler,
    WorkerRuntime,
  ],
})
export class GenerationWorkerModule {}
