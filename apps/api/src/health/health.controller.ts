import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { Public } from '../common/auth/decorators';
import { REDIS } from '../common/redis/redis.module';

/** /healthz: the process answers. /readyz: it can reach PostgreSQL and Redis. */
@Controller()
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  @Public()
  @Get('healthz')
  health() {
    return { status: 'ok' };
  }

  @Public()
  @Get('readyz')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const checks = await Promise.all([probe('database', () => this.dataSource.query('SELECT 1')), probe('redis', () => this.redis.ping())]);
    const ok = checks.every((c) => c.ok);
    await reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks });
  }
}

async function probe(name: string, check: () => Promise<unknown>): Promise<{ name: string; ok: boolean; error?: string }> {
  try {
    await Promise.race([check(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 2 s')), 2000))]);
    return { name, ok: true };
  } catch (err) {
    return { name, ok: false, error: (err as Error).message };
  }
}
