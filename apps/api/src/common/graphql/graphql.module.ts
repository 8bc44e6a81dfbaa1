import { join } from 'node:path';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GraphQLError, type GraphQLSchema, NoSchemaIntrospectionCustomRule } from 'graphql';
import type { Logger } from 'pino';
import { AppConfig } from '../../config/config';
import { ErrorCode } from '../errors/app-error';
import { toClientError } from '../errors/graphql-errors';
import { asInputError, assertNoNulCharacters, assertValidDates } from './graphql-http';
import { assertWithinLimits } from './complexity';
import { LOGGER } from '../logging/logger.module';
import { PubSubModule } from './pubsub.module';
import { onSubscriptionConnect, secureSubscriptions } from './subscription-auth';
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
    graphiql: false, // served from npm packages by graphiql.ts, not Mercurius's CDN page
    fieldResolverEnhancers: ['guards', 'interceptors'],
    context: (req: FastifyRequest, reply: FastifyReply) => ({ req, reply }),
    // graphql-ws: the credential comes from connectionParams.authorization or the upgrade request's
    // Authorization header, checked at connect by the same Passport strategies as HTTP, and again
    // while a subscription runs (subscription-auth.ts). Redis carries the events, so a subscriber
    // on any api replica sees what any worker publishes.
    subscription: {
      pubsub,
      fullWsTransport: false,
      keepAlive: 15_000,
      onConnect: onSubscriptionConnect,
    },
    transformSchema: (schema: GraphQLSchema) => secureSubscriptions(schema, logger, config.values.SUBSCRIPTION_AUTH_CHECK_MS),
    validationRules: config.introspection ? [] : [NoSchemaIntrospectionCustomRule],
    hooks: {
      preExecution: [
        (schema, document, _context, variables) => {
          assertNoNulCharacters(document, variables);
          assertValidDates(schema, document, variables);
          assertWithinLimits(schema, document, variables, config.values.GRAPHQL_MAX_DEPTH, config.values.GRAPHQL_MAX_COMPLEXITY);
        },
      ],
    },
    errorFormatter: (execution, context) => {
      const errors = execution.errors.flatMap(unwrapRequestErrors).map((e) => toClientError(e, logger));
      // RATE_LIMITED and UNAVAILABLE say when to come back; so does the HTTP answer.
      const retry = Math.max(0, ...errors.map((e) => Number(e.extensions.retryAfterSeconds) || 0));
      if (retry > 0) void (context as { reply?: FastifyReply } | undefined)?.reply?.header('retry-after', String(retry));
      // No `data` at all when the request was refused before execution (the spec's request errors).
      const executed = execution.data !== undefined;
      const response = executed ? { data: execution.data ?? null, errors } : { errors };
      return { statusCode: httpStatusOf(execution.errors, errors, executed), response };
    },
  }),
});

/** The HTTP status of an answer with errors (GraphQL over HTTP): 200 once execution started. */
function httpStatusOf(raw: readonly GraphQLError[], errors: GraphQLError[], executed: boolean): number {
  const codes = new Set(errors.map((e) => e.extensions.code));
  if (codes.has(ErrorCode.RATE_LIMITED)) return 429;
  if (codes.has(ErrorCode.UNAVAILABLE)) return 503;
  // A request Fastify or Mercurius refused before execution: bad JSON (400), too large (413),
  // not a query (400), a mutation over GET (405).
  const refused = raw.map((e) => (e.originalError as { statusCode?: unknown } | undefined)?.statusCode).find(isClientStatus);
  if (refused) return refused;
  // Refused before execution by our own checks (complexity, U+0000): nothing ran.
  if (!executed && errors.every((e) => e.extensions.code === ErrorCode.BAD_USER_INPUT && !e.path)) return 400;
  return 200;
}

const isClientStatus = (s: unknown): s is number => typeof s === 'number' && s >= 400 && s < 500;

/**
 * Mercurius wraps parse and validation failures in one error holding the real ones, and Fastify's
 * own request errors (bad JSON, body too large) arrive as they are: each becomes a client error.
 */
function unwrapRequestErrors(e: GraphQLError): GraphQLError[] {
  const original = e.originalError as (Error & { errors?: unknown; statusCode?: unknown; code?: unknown }) | undefined;
  if (Array.isArray(original?.errors)) {
    return original.errors.map((x) => (x instanceof GraphQLError ? asInputError(x) : new GraphQLError(String((x as Error).message ?? x))));
  }
  if (original && isClientStatus(original.statusCode) && typeof original.code === 'string' && /^(FST|MER)_/.test(original.code)) {
    return [new GraphQLError(original.message)];
  }
  return [e];
}
