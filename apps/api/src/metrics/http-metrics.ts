import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type DocumentNode, type FieldNode, type GraphQLSchema, Kind, type OperationDefinitionNode } from 'graphql';
import type { Metrics } from './metrics.service';

const started = new WeakMap<object, bigint>();
const operations = new WeakMap<object, OperationDefinitionNode | undefined>();

const secondsSince = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

/**
 * Times every HTTP request by its route pattern (never the raw URL: ids in paths would make a
 * series per id) and every GraphQL operation by type and root field, through Fastify's and Mercurius's
 * own hooks, so no resolver or controller needs to know about metrics.
 */
export function instrumentHttp(fastify: FastifyInstance, metrics: Metrics): void {
  fastify.addHook('onRequest', async (request: FastifyRequest) => {
    started.set(request, process.hrtime.bigint());
  });
  fastify.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const start = started.get(request);
    if (start === undefined) return;
    const route = request.routeOptions?.url ?? '(unmatched)';
    metrics.observeHttpRequest(request.method, route, reply.statusCode, secondsSince(start));
  });

  const graphql = (fastify as FastifyInstance & { graphql?: MercuriusHooks }).graphql;
  if (!graphql?.addHook) return;
  graphql.addHook('preParsing', async (_schema, _source, context) => {
    started.set(context, process.hrtime.bigint());
  });
  let knownFor: GraphQLSchema | undefined;
  graphql.addHook('preExecution', async (schema, document, context, _variables) => {
    if (knownFor !== schema) {
      knownFor = schema;
      metrics.knownOperationsAre(rootFieldsOf(schema));
    }
    operations.set(context, selectedOperation(document, context));
  });
  graphql.addHook('onResolution', async (execution, context) => {
    const start = started.get(context);
    if (start === undefined) return;
    const operation = operations.get(context);
    const outcome = execution.errors?.length ? 'error' : 'success';
    const first = operation?.selectionSet.selections.find((s): s is FieldNode => s.kind === Kind.FIELD);
    metrics.observeGraphqlOperation(operation?.operation ?? 'unknown', first?.name.value, outcome, secondsSince(start));
  });
}

/** Every field of Query, Mutation and Subscription: the bounded set operation labels come from. */
function rootFieldsOf(schema: GraphQLSchema): string[] {
  return [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((type) =>
    type ? Object.keys(type.getFields()) : [],
  );
}

/** The operation a request runs: the named one when the document holds several. */
function selectedOperation(document: DocumentNode, context: object): OperationDefinitionNode | undefined {
  const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  const wanted = (context as { reply?: { request?: { body?: { operationName?: unknown } } } }).reply?.request?.body?.operationName;
  return (typeof wanted === 'string' && ops.find((o) => o.name?.value === wanted)) || ops[0];
}

/** The slice of Mercurius's hook API used here (its types come with its own generics). */
interface MercuriusHooks {
  addHook(name: 'preParsing', fn: (schema: unknown, source: string, context: object) => Promise<void>): void;
  addHook(
    name: 'preExecution',
    fn: (schema: GraphQLSchema, document: DocumentNode, context: object, variables: unknown) => Promise<void>,
  ): void;
  addHook(name: 'onResolution', fn: (execution: { errors?: readonly unknown[] }, context: object) => Promise<void>): void;
}
