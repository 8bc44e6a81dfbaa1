import { type DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import type { AppConfig } from './config/config';
import { coreModules } from './app.module';
import { DatabaseModule } from './database/database.module';
import { RedisModule } from './common/redis/redis.module';
import { JobsCoreModule } from './generation/jobs-core.module';
import { WorkerRuntime } from './generation/worker-runtime';

/** The worker: the same app's core (config, logging, database, Redis) and the queue consumers; no HTTP. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: WorkerModule,
      imports: [...coreModules(config, logger), DatabaseModule, RedisModule, JobsCoreModule],
      providers: [WorkerRuntime],
    };
  }
}
