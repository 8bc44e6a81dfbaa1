import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { AppConfig } from '../../config/config';
import { REDIS } from '../redis/redis.module';
import { RateLimitedError } from '../errors/app-error';
import type { Actor } from '../auth/actor';

/**
 * Fixed-window counters in Redis, shared by every api replica: one per API key, one per workspace
 * (all its members and keys together), one per client address for anonymous calls (log-in
 * attempts). Over a limit: RATE_LIMITED with the seconds until the window resets.
 */
@Injectable()
export class RateLimiter {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {
    // Sent once, then called by its SHA (EVALSHA) on every request.
    if (!('bwRateCount' in redis)) {
      redis.defineCommand('bwRateCount', {
        numberOfKeys: 1,
        lua: `local n = redis.call('INCR', KEYS[1])
              if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
              return {n, redis.call('PTTL', KEYS[1])}`,
      });
    }
  }

  async check(actor: Actor | undefined, clientAddress: string): Promise<void> {
    const v = this.config.values;
    const buckets: Array<[string, number]> = [];
    if (!actor) buckets.push([`ip:${clientAddress}`, v.RATE_LIMIT_ANONYMOUS_PER_WINDOW]);
    if (actor?.kind === 'apiKey') buckets.push([`key:${actor.apiKeyId}`, v.RATE_LIMIT_API_KEY_PER_WINDOW]);
    if (actor?.workspaceId) buckets.push([`ws:${actor.workspaceId}`, v.RATE_LIMIT_WORKSPACE_PER_WINDOW]);
    const windowMs = v.RATE_LIMIT_WINDOW_SECONDS * 1000;
    const window = Math.floor(Date.now() / windowMs);
    for (const [bucket, limit] of buckets) {
      const key = `${v.REDIS_PREFIX}:rl:${bucket}:${window}`;
      const [count, ttl] = (await (this.redis as unknown as RateCounter).bwRateCount(key, windowMs)) as [number, number];
      if (count > limit) throw new RateLimitedError(Math.max(1, Math.ceil(ttl / 1000)));
    }
  }
}

interface RateCounter {
  bwRateCount(key: string, windowMs: number): Promise<[number, number]>;
}
