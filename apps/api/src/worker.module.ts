import { type DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import type { AppConfig } from './config/config';
import { coreModules } from './app.module';
import { DatabaseModule } from './database/database.module';
import { RedisModule } from './common/redis/redis.module';
import { JobsCoreModule } from './generation/jobs-core.module';
import { WorkerRuntime } from './generation/worker-runtime';
import { BillingWorkerModule } from './billing/billing-worker.module';
import { BILLING_QUEUE } from '@brandwright/billing';

/** The worker: the same app's core (config, logging, database, Redis) and the queue consumers; no HTTP. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    const billing = config.values.WORKER_QUEUES.split(',')
      .map((q) => q.trim())
      .includes(BILLING_QUEUE);
    return {
      module: WorkerModule,
      imports: [...coreModules(config, logger), DatabaseModule, RedisModule, JobsCoreModule, ...(billing ? [BillingWorkerModule] : [])],
      providers: [WorkerRuntime],
    };
  }
}
