import { Global, Inject, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AppConfig } from '../config/config';
import { LOGGER } from '../common/logging/logger.module';
import { instrumentHttp } from './http-metrics';
import { serveMetrics } from './metrics-route';
import { MetricsListener } from './metrics-listener';
import { Metrics } from './metrics.service';
import { MONITORED_QUEUES } from './monitored-queues';
import { QueueStatsCollector } from './queue-stats.collector';

/**
 * Prometheus metrics for both processes. Imported by coreModules(), so the api and the worker get
 * it the same way: the api (it has an HTTP adapter) serves GET /metrics (with METRICS_TOKEN) and times requests and
 * GraphQL operations; the worker (an application context, no adapter) opens a metrics-only
 * listener on METRICS_PORT. Everyone else injects `Metrics` and calls its named methods.
 */
@Global()
@Module({
  providers: [
    {
      provide: Metrics,
      inject: [HttpAdapterHost],
      useFactory: (host: HttpAdapterHost) => new Metrics(host.httpAdapter ? 'api' : 'worker'),
    },
  ],
  exports: [Metrics],
})
export class MetricsModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly queues: QueueStatsCollector;
  private listener?: MetricsListener;

  constructor(
    private readonly metrics: Metrics,
    private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.queues = new QueueStatsCollector(
      metrics.registry,
      { redisUrl: config.values.REDIS_URL, redisPrefix: config.values.REDIS_PREFIX, queues: MONITORED_QUEUES },
      (err) => this.logger.warn({ err: err.message }, 'metrics: could not read queue stats'),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    const adapter = this.adapterHost.httpAdapter;
    // After every module's init, so Mercurius (registered by GraphQLModule) is there to hook.
    if (adapter) {
      const fastify = adapter.getInstance<FastifyInstance>();
      serveMetrics(fastify, this.metrics, this.config.values.METRICS_TOKEN);
      return instrumentHttp(fastify, this.metrics);
    }

    const port = this.config.values.METRICS_PORT;
    if (port === 0) return;
    const listener = new MetricsListener(this.metrics);
    try {
      await listener.listen(port);
      this.listener = listener;
      this.logger.info({ port }, 'metrics listening');
    } catch (err) {
      // Metrics are not worth a worker that refuses to run jobs; say so loudly and go on.
      this.logger.error({ err: (err as Error).message, port }, 'metrics: could not listen; /metrics is off in this worker');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.close();
    await this.queues.close();
  }
}
