import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Public } from '../common/auth/decorators';
import { Metrics } from './metrics.service';

/**
 * GET /metrics for Prometheus. Public like /healthz: it carries counts and timings, no tenant
 * data; keep it off the public internet at the ingress (docs/deploy.md).
 */
@Controller()
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Public()
  @Get('metrics')
  async scrape(@Res() reply: FastifyReply): Promise<void> {
    const { contentType, body } = await this.metrics.render();
    await reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
  }
}
