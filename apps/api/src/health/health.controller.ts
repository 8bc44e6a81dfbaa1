import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/config';
import { REDIS } from '../common/redis/redis.module';
import { WorkerRegistry } from './worker-registry';

export interface ReadinessCheck {
  name: string;
  ok: boolean;
  error?: string;
}

/**
 * /healthz and /readyz, registered on Fastify itself, ahead of Nest's guards, interceptors and
 * filters: a probe must not depend on the rate limiter (Redis) or on authentication.
 * - /healthz is liveness only: the process answers. It checks no dependency, so an outage of
 *   PostgreSQL or Redis never makes Kubernetes restart healthy api pods.
 * - /readyz checks the dependencies and always answers its own JSON body. Without PostgreSQL the
 *   api can do nothing useful: 503. Without Redis it still serves reads (degraded: 200, so the
 *   pods stay in rotation). It also says when no worker can serve a queue (`waiting: no worker has
 *   a text model`), from the workers' heartbeats.
 */
@Injectable()
export class HealthController implements OnModuleInit {
  private readonly workers: WorkerRegistry;

  constructor(
    private readonly host: HttpAdapterHost,
    private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    config: AppConfig,
  ) {
    this.workers = new WorkerRegistry(redis, config.values.REDIS_PREFIX);
  }

  onModuleInit(): void {
    const fastify = this.host.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    fastify.get('/healthz', async (_req, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));
    fastify.get('/readyz', async (_req, reply) => {
      const { status, checks } = await this.readiness();
      return reply
        .status(status === 'not ready' ? 503 : 200)
        .header('cache-control', 'no-store')
        .send({ status, checks });
    });
  }

  async readiness(): Promise<{ status: 'ready' | 'degraded' | 'not ready'; checks: ReadinessCheck[] }> {
    const [database, redis] = await Promise.all([
      probe('database', () => this.dataSource.query('SELECT 1')),
      probe('redis', () => this.redis.ping()),
    ]);
    const checks = [database, redis];
    if (redis.ok) {
      checks.push(
        await probe('workers', async () => {
          const reason = await this.workers.waitingReason('generate-text');
          if (reason) throw new Error(reason);
        }),
      );
    }
    const status = !database.ok ? 'not ready' : checks.every((c) => c.ok) ? 'ready' : 'degraded';
    return { status, checks };
  }
}

async function probe(name: string, check: () => Promise<unknown>): Promise<ReadinessCheck> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out after 2 s')), 2000);
      }),
    ]);
    return { name, ok: true };
  } catch (err) {
    return { name, ok: false, error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
