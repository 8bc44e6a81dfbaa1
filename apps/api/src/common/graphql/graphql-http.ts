import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type ArgumentNode,
  type DocumentNode,
  GraphQLError,
  type GraphQLInputType,
  type GraphQLSchema,
  Kind,
  type NamedTypeNode,
  type ObjectFieldNode,
  TypeInfo,
  type ValueNode,
  getNamedType,
  isInputObjectType,
  isInputType,
  isListType,
  isNonNullType,
  parse,
  typeFromAST,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { AppError, BadUserInputError, ErrorCode } from '../errors/app-error';

/** The media type of GraphQL-over-HTTP responses (the spec's; application/json stays for older clients). */
export const GRAPHQL_RESPONSE = 'application/graphql-response+json';

const isGraphqlPath = (url: string) => url === '/graphql' || url.startsWith('/graphql?');

/**
 * GraphQL over HTTP as the spec has it, ahead of Mercurius: POST takes only application/json
 * (so no form or multipart "simple" request can run a mutation cross-site), 415 otherwise; GET
 * needs a `query`; a null `extensions` is accepted; the answer is application/graphql-response+json
 * when the client accepts it. Body size (413) is Fastify's bodyLimit (HTTP_BODY_LIMIT_BYTES).
 */
export function installGraphqlHttp(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!isGraphqlPath(request.url)) return;
    if (request.method === 'POST') {
      const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (type !== 'application/json') {
        const got = type ? `"${type}"` : 'no Content-Type';
        return requestError(reply, 415, 'content-type', `POST /graphql takes Content-Type: application/json; got ${got}.`);
      }
    } else if (request.method === 'GET' && !request.headers.upgrade) {
      const query = (request.query as Record<string, unknown> | undefined)?.query;
      if (typeof query !== 'string' || query.trim() === '') {
        return requestError(reply, 400, 'query', 'GET /graphql needs a `query` parameter holding the operation.');
      }
    }
  });

  fastify.addHook('preValidation', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!isGraphqlPath(request.url) || request.method !== 'POST') return;
    const body = request.body as Record<string, unknown> | null | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return; // Mercurius' body schema refuses it (400)
    if (body.extensions === null) delete body.extensions;
    if (typeof body.query !== 'string' || body.query.trim() === '') {
      return requestError(reply, 400, 'query', 'The body needs a `query` string holding the operation.');
    }
  });

  fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (!isGraphqlPath(request.url) || !wantsGraphqlResponse(request)) return payload;
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.startsWith('application/json')) void reply.header('content-type', `${GRAPHQL_RESPONSE}; charset=utf-8`);
    return payload;
  });
}

function wantsGraphqlResponse(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').toLowerCase().includes(GRAPHQL_RESPONSE);
}

function requestError(reply: FastifyReply, status: number, field: string, message: string): FastifyReply {
  return reply.status(status).send({ errors: [{ message, extensions: { code: ErrorCode.BAD_USER_INPUT, field } }] });
}

/**
 * U+0000 is refused in every string input, literal or variable, naming where it was: PostgreSQL
 * cannot store it in text, and no legitimate input needs it.
 */
export function assertNoNulCharacters(document: DocumentNode, variables: Record<string, unknown> | undefined): void {
  for (const [name, value] of Object.entries(variables ?? {})) {
    const where = nulIn(value, name);
    if (where) throw new BadUserInputError(where, 'must not contain U+0000 (NUL) characters');
  }
  visit(document, {
    Argument(node: ArgumentNode) {
      const where = nulInLiteral(node.value, node.name.value);
      if (where) throw new BadUserInputError(where, 'must not contain U+0000 (NUL) characters');
      return false;
    },
  });
}

function nulIn(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = nulIn(item, `${path}.${i}`);
      if (found) return found;
    }
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = nulIn(item, `${path}.${key}`);
      if (found) return found;
    }
  }
  return null;
}

function nulInLiteral(node: ValueNode, path: string): string | null {
  if (node.kind === Kind.STRING) return node.value.includes('\u0000') ? path : null;
  if (node.kind === Kind.LIST) {
    for (const [i, item] of node.values.entries()) {
      const found = nulInLiteral(item, `${path}.${i}`);
      if (found) return found;
    }
  }
  if (node.kind === Kind.OBJECT) {
    for (const field of node.fields) {
      const found = nulInLiteral(field.value, `${path}.${field.name.value}`);
      if (found) return found;
    }
  }
  return null;
}

/**
 * A validation error about an argument's value (`usage(from: "yesterday")`, a bad enum literal)
 * comes from graphql-js with the scalar's own exception attached; it is the client's mistake, so
 * it becomes a plain error naming the argument (`from`, `input.channel`), never INTERNAL.
 */
export function asInputError(error: GraphQLError): GraphQLError {
  // graphql-js names a variable's problem itself: 'Variable "$i" got invalid value … at "i.channel"'.
  const variable = /^Variable "\$(\w+)"(?: got invalid value .*? at "([^"]+)")?/.exec(error.message);
  if (variable) {
    return new GraphQLError(error.message, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      originalError: new AppError(ErrorCode.BAD_USER_INPUT, error.message, { field: variable[2] ?? variable[1] }),
    });
  }
  const field = error.source ? argumentAt(error.source.body, error.positions?.[0]) : undefined;
  return new GraphQLError(field ? `${field}: ${error.message}` : error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    // As a BadUserInputError, the error mapping keeps `extensions.field`.
    originalError: field ? new BadUserInputError(field, error.message) : undefined,
  });
}

/** The argument (and input fields, dotted) whose value holds this source position. */
function argumentAt(source: string, position: number | undefined): string | undefined {
  if (position === undefined) return undefined;
  let document: DocumentNode;
  try {
    document = parse(source, { noLocation: false });
  } catch {
    return undefined;
  }
  const contains = (node: { loc?: { start: number; end: number } }) => node.loc && node.loc.start <= position && position < node.loc.end;
  let found: string | undefined;
  visit(document, {
    Argument(node: ArgumentNode) {
      if (!contains(node)) return false;
      found = node.name.value;
      return undefined;
    },
    ObjectField(node: ObjectFieldNode) {
      if (!contains(node)) return false;
      found = found ? `${found}.${node.name.value}` : node.name.value;
      return undefined;
    },
  });
  return found;
}

const DATE_TIME = 'DateTime';
const DATE_PROBLEM = 'must be an ISO 8601 date-time, like 2026-12-01T00:00:00Z';
const isValidDate = (v: string) => /^\d{4}-\d{2}-\d{2}([T ][\d:.]+)?(Z|[+-]\d{2}:?\d{2})?$/i.test(v) && !Number.isNaN(Date.parse(v));

/**
 * The DateTime scalar turns any string into a Date, "yesterday" into an invalid one that only
 * PostgreSQL refuses. Every DateTime input, literal or variable, is checked here, before
 * anything runs, and refused naming the field.
 */
export function assertValidDates(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined): void {
  const typeInfo = new TypeInfo(schema);
  const path: string[] = [];
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument: {
        enter: (node: ArgumentNode) => void path.push(node.name.value),
        leave: () => void path.pop(),
      },
      ObjectField: {
        enter: (node: ObjectFieldNode) => void path.push(node.name.value),
        leave: () => void path.pop(),
      },
      StringValue(node) {
        const type = typeInfo.getInputType();
        if (type && getNamedType(type).name === DATE_TIME && !isValidDate(node.value)) {
          throw new BadUserInputError(path.join('.') || 'query', `${DATE_PROBLEM}; got "${node.value}"`);
        }
      },
    }),
  );
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const variable of definition.variableDefinitions ?? []) {
      const type = typeFromAST(schema, variable.type as NamedTypeNode);
      const name = variable.variable.name.value;
      if (type && isInputType(type)) checkDates(type, variables?.[name], name);
    }
  }
}

function checkDates(type: GraphQLInputType, value: unknown, path: string): void {
  if (value === null || value === undefined) return;
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) {
    if (Array.isArray(value)) value.forEach((item, i) => checkDates(inner.ofType, item, `${path}.${i}`));
    else checkDates(inner.ofType, value, path);
    return;
  }
  if (isInputObjectType(inner)) {
    if (typeof value !== 'object') return; // graphql-js refuses the shape itself
    for (const [field, def] of Object.entries(inner.getFields()))
      checkDates(def.type, (value as Record<string, unknown>)[field], `${path}.${field}`);
    return;
  }
  if (inner.name === DATE_TIME && typeof value === 'string' && !isValidDate(value)) {
    throw new BadUserInputError(path, `${DATE_PROBLEM}; got "${value}"`);
  }
}
