import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyCookie from '@fastify/cookie';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import type { AppConfig } from './config/config';
import { PinoNestLogger } from './common/logging/nest-logger';
import { installSecurityHeaders } from './common/http/security-headers';
import { serveDashboard } from './common/http/dashboard';
import { installGraphiql } from './common/graphql/graphiql';
import { installSubscriptionCloseCodes } from './common/graphql/subscription-auth';
import { installGraphqlHttp } from './common/graphql/graphql-http';
import { installRateLimits } from './common/rate-limit/rate-limit.hooks';
import { RateLimiter } from './common/rate-limit/rate-limiter';

/**
 * Builds the HTTP app without listening, so tests boot exactly what production runs.
 */
export async function createApi(config: AppConfig, logger: Logger): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && given.length <= 64 ? given : randomUUID();
    },
    // X-Forwarded-For names the client only when the peer is a proxy we run (rate limits key on it).
    trustProxy: config.values.TRUSTED_PROXIES.length ? config.values.TRUSTED_PROXIES : false,
    bodyLimit: config.values.HTTP_BODY_LIMIT_BYTES,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, logger), adapter, {
    rawBody: true,
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  // Before every route and before authentication: the per-address limits, then GraphQL's HTTP rules.
  const fastify = app.getHttpAdapter().getInstance();
  installRateLimits(fastify, app.get(RateLimiter));
  installGraphqlHttp(fastify);
  try {
    await app.register(fastifyCookie);
    await installSecurityHeaders(app, config);
    if (config.introspection) installGraphiql(app.getHttpAdapter().getInstance());
    await serveDashboard(app, config);
    app.enableShutdownHooks();
    installSubscriptionCloseCodes(app.getHttpAdapter().getInstance()); // before GraphQL's routes
    await app.init();
  } catch (err) {
    // Close the pools and connections opened so far, or the process lingers after the error.
    await app.close().catch(() => undefined);
    throw err;
  }
  return app;
}
