import { join } from 'node:path';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { NoSchemaIntrospectionCustomRule } from 'graphql';
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
      response: { data: execution.data ?? null, errors: execution.errors.map((e) => toClientError(e, logger)) },
    }),
  }),
});
