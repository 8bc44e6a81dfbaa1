import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import type { Logger } from 'pino';
import { AppConfig } from '../../config/config';
import { LOGGER } from '../logging/logger.module';

export const REDIS = Symbol('REDIS');

/** One shared ioredis connection for commands (rate limits, pub/sub publishes, readiness). */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [AppConfig, LOGGER],
      useFactory: (config: AppConfig, logger: Logger) => {
        const redis = new Redis(config.values.REDIS_URL, { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false });
        // ioredis reconnects on its own; say so once per outage instead of an unhandled error per try.
        let down = false;
        redis.on('error', (err: Error) => {
          if (!down) logger.warn({ err }, 'Redis is unavailable; reconnecting (docs/operations.md)');
          down = true;
        });
        redis.on('ready', () => {
          if (down) logger.info('Redis is back');
          down = false;
        });
        return redis;
      },
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
