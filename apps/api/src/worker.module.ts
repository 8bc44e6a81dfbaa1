import { type DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import type { AppConfig } from './config/config';
import { coreModules } from './app.module';
import { DatabaseModule } from './database/database.module';
import { RedisModule } from './common/redis/redis.module';
import { JobsCoreModule } from './jobs/jobs-core.module';
import { JobWorkerModule } from './jobs/job-worker.module';
import { GenerationWorkerModule } from './generation/generation-worker.module';
import { WebhooksWorkerModule } from './webhooks/webhooks-worker.module';
import { BillingWorkerModule } from './billing/billing-worker.module';

/**
 * The worker: the same app's core (config, logging, database, Redis) and every feature's job
 * handlers; no HTTP. All handlers are registered whatever WORKER_QUEUES says (the registry checks
 * that every job has exactly one); only the queues WORKER_QUEUES names are consumed.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ...coreModules(config, logger),
        DatabaseModule,
        RedisModule,
        JobsCoreModule,
        JobWorkerModule,
        GenerationWorkerModule,
        WebhooksWorkerModule,
        BillingWorkerModule,
      ],
    };
  }
}
