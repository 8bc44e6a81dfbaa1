import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { AppConfig } from '../../config/config';
import { REDIS, RedisModule } from '../redis/redis.module';
import { RedisPubSub } from './redis-pubsub';

/** The GraphQL subscriptions' pub/sub (Redis), closed with the app. */
@Module({
  imports: [RedisModule],
  providers: [
    {
      provide: RedisPubSub,
      inject: [REDIS, AppConfig],
      useFactory: (redis: Redis, config: AppConfig) => new RedisPubSub(redis, config.values.REDIS_PREFIX, config.values.REDIS_URL),
    },
  ],
  exports: [RedisPubSub],
})
export class PubSubModule implements OnApplicationShutdown {
  constructor(@Inject(RedisPubSub) private readonly pubsub: RedisPubSub) {}

  async onApplicationShutdown(): Promise<void> {
    await this.pubsub.close();
  }
}
