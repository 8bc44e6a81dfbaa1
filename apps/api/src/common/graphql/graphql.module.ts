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

/** Code-first GraphQL at /graphql on Mercurius, with subscriptions over graphql-ws. */
export const GraphqlModule = GraphQLModule.forRootAsync<MercuriusDriverConfig>({
  driver: MercuriusDriver,
  inject: [AppConfig, LOGGER],
  useFactory: (config: AppConfig, logger: Logger) => ({
    autoSchemaFile: config.values.NODE_ENV === 'production' ? true : join(process.cwd(), 'apps/api/schema.graphql'),
    sortSchema: true,
    path: '/graphql',
    graphiql: config.introspection,
    fieldResolverEnhancers: ['guards', 'interceptors'],
    context: (req: FastifyRequest, reply: FastifyReply) => ({ req, reply }),
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
            return Array.isArray(inner) ? inner.map((x) => (x instanceof GraphQLError ? x : new GraphQLError(String((x as Error).message ?? x)))) : [e];
          })
          .map((e) => toClientError(e, logger)),
      },
    }),
  }),
});
