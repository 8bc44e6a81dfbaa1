import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { AppConfig } from '../config/config';
import { REDIS } from '../common/redis/redis.module';
import { LOGGER } from '../common/logging/logger.module';
import { ASSET_STORAGE, type AssetStorage } from '../assets/asset-storage';
import { LocalAssetStorage } from '../assets/local-asset-storage';
import { S3AssetStorage } from '../assets/s3-asset-storage';
import { AssetUrls } from '../assets/asset-urls';
import { WebhookOutbox } from '../webhooks/webhook-outbox';
import { WebhookSecrets } from '../webhooks/webhook-secrets';
import { FairScheduler } from '../generation/fair-scheduler';
import { GenerationEvents } from '../generation/generation-events';
import { JobQueues } from './job-queues';

function assetStorage(config: AppConfig): AssetStorage {
  const v = config.values;
  if (v.STORAGE_DRIVER === 'local') return new LocalAssetStorage(v.ASSET_DIR);
  const missing = (['S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const).filter((k) => !v[k]);
  if (missing.length) throw new Error(`STORAGE_DRIVER=s3 needs ${missing.join(', ')}`);
  return new S3AssetStorage({
    endpoint: v.S3_ENDPOINT!,
    region: v.S3_REGION,
    bucket: v.S3_BUCKET!,
    accessKeyId: v.S3_ACCESS_KEY_ID!,
    secretAccessKey: v.S3_SECRET_ACCESS_KEY!,
    timeoutMs: v.S3_TIMEOUT_MS,
  });
}

/** What both the api and the worker need around jobs: queues, fairness, live events, assets, webhook outbox. */
@Module({
  providers: [
    {
      provide: JobQueues,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        new JobQueues({
          redisUrl: config.values.REDIS_URL,
          prefix: config.values.REDIS_PREFIX,
          jobAttempts: config.values.JOB_ATTEMPTS,
          webhookAttempts: config.values.WEBHOOK_ATTEMPTS,
          webhookBackoffMs: config.values.WEBHOOK_BACKOFF_MS,
        }),
    },
    {
      provide: FairScheduler,
      inject: [REDIS, AppConfig],
      useFactory: (redis: Redis, config: AppConfig) =>
        new FairScheduler(redis, config.values.REDIS_PREFIX, config.values.WORKSPACE_CONCURRENCY),
    },
    {
      provide: GenerationEvents,
      inject: [REDIS, AppConfig],
      useFactory: (redis: Redis, config: AppConfig) => new GenerationEvents(redis, config.values.REDIS_PREFIX),
    },
    {
      provide: WebhookOutbox,
      inject: [JobQueues, LOGGER],
      useFactory: (queues: JobQueues, logger: Logger) => new WebhookOutbox(queues, logger),
    },
    { provide: WebhookSecrets, inject: [AppConfig], useFactory: (config: AppConfig) => new WebhookSecrets(config.values.JWT_SECRET) },
    { provide: ASSET_STORAGE, inject: [AppConfig], useFactory: assetStorage },
    {
      provide: AssetUrls,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        new AssetUrls(config.values.JWT_SECRET, config.values.PUBLIC_URL, config.values.ASSET_URL_TTL_SECONDS),
    },
  ],
  exports: [JobQueues, FairScheduler, GenerationEvents, WebhookOutbox, WebhookSecrets, ASSET_STORAGE, AssetUrls],
})
export class JobsCoreModule implements OnApplicationShutdown {
  constructor(@Inject(JobQueues) private readonly queues: JobQueues) {}

  async onApplicationShutdown(): Promise<void> {
    await this.queues.close();
  }
}
