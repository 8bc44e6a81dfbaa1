import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GraphQLError, NoSchemaIntrospectionCustomRule } from 'graphql';
import type { Logger } from 'pino';
import { AppConfig } from '../../config/config';
import { toClientError } from '../errors/graphql-errors';
import { assertWithinLimits } from './complexity';
import { LOGGER } from '../logging/logger.module';
import { authenticate } from '../auth/access.guard';
import type { AuthenticatedRequest } from './graphql-context';
import { PubSubModule } from './pubsub.module';
import { RedisPubSub } from './redis-pubsub';

/** Code-first GraphQL at /graphql on Mercurius, with subscriptions over graphql-ws. */
export const GraphqlModule = GraphQLModule.forRootAsync<MercuriusDriverConfig>({
  driver: MercuriusDriver,
  imports: [PubSubModule],
  inject: [AppConfig, LOGGER, RedisPubSub],
  useFactory: (config: AppConfig, logger: Logger, pubsub: RedisPubSub) => ({
    autoSchemaFile: config.values.NODE_ENV === 'production' ? true : join(process.cwd(), 'apps/api/schema.graphql'),
    sortSchema: true,
    path: '/graphql',
    graphiql: config.introspection,
    fieldResolverEnhancers: ['guards', 'interceptors'],
    context: (req: FastifyRequest, reply: FastifyReply) => ({ req, reply }),
    // graphql-ws; the client authenticates in connectionParams ({ authorization: 'Bearer …' }),
    // checked once at connect by the same Passport strategies as HTTP. Redis carries the events,
    // so a subscriber on any api replica sees what any worker publishes.
    subscription: {
      pubsub,
      fullWsTransport: false,
      keepAlive: 15_000,
      onConnect: async ({ payload }: { payload?: Record<string, unknown> }) => {
        const authorization = payload?.authorization ?? payload?.Authorization;
        if (typeof authorization !== 'string') return false;
        const req = { id: randomUUID(), ip: 'graphql-ws', headers: { authorization } } as unknown as AuthenticatedRequest;
        req.actor = await authenticate(req);
        return { req };
      },
    },
    validationRules: config.introspection ? [] : [NoSchemaIntrospectionCustomRule],
    hooks: {
      preExecution: [
        (schema, document, _context, variables) => {
          assertWithinLimits(schema, document, variables, config.values.GRAPHQL_MAX_DEPTH, config.values.GRAPHQL_MAX_COMPLEXITY);
        },
      ],
    },
    errorFormatter: (execution) => ({
      statusCode: 200,
      response: {
        data: execution.data ?? null,
        // Mercurius wraps parse and validation failures in one error holding the real ones.
        errors: execution.errors
          .flatMap((e) => {
            const inner = (e.originalError as { errors?: unknown } | undefined)?.errors;
            return Array.isArray(inner)
              ? inner.map((x) => (x instanceof GraphQLError ? x : new GraphQLError(String((x as Error).message ?? x))))
              : [e];
          })
          .map((e) => toClientError(e, logger)),
      },
    }),
  }),
});
