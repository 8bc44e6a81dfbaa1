import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { type GraphQLField, GraphQLError, type GraphQLSchema, locatedError } from 'graphql';
import type { Logger } from 'pino';
import type WebSocket from 'ws';
import { authenticate } from '../auth/access.guard';
import type { Actor } from '../auth/actor';
import { AppError, ErrorCode, ForbiddenError, UnauthenticatedError } from '../errors/app-error';
import { toClientError } from '../errors/graphql-errors';
import type { AuthenticatedRequest } from './graphql-context';

/**
 * Authentication of GraphQL subscriptions (graphql-ws, the graphql-transport-ws subprotocol).
 *
 * - The credential comes from `connection_init`'s payload (`{ authorization: 'Bearer …' }`) or,
 *   when the payload has none, from the upgrade request's Authorization header.
 * - A connection without a valid credential is closed with 4403 Forbidden; a `subscribe` sent
 *   before `connection_init` with 4401 Unauthorized, as the protocol says (Mercurius would send
 *   a `connection_error` message, which the protocol does not have).
 * - Errors of a subscription carry `extensions.code`, formatted like every other error.
 * - A subscription ends (an `error` message, code UNAUTHENTICATED or FORBIDDEN) when its access
 *   token expires, and, checked every SUBSCRIPTION_AUTH_CHECK_MS, when its API key is revoked or
 *   its member leaves the workspace.
 */

/** Where a subscription's connection keeps what it authenticated with. */
type SubscriptionRequest = AuthenticatedRequest & { headers: { authorization: string } };

/**
 * Mercurius's `onConnect`. It is called as a method of the connection, so `this.context.request`
 * is the upgrade request. Returning false refuses the connection (closed with 4403 below).
 */
export function onSubscriptionConnect(
  this: { context?: { request?: { headers?: Record<string, unknown> } } },
  message: { payload?: Record<string, unknown> },
): Promise<{ req: SubscriptionRequest } | false> {
  const fromPayload = message.payload?.authorization ?? message.payload?.Authorization;
  const authorization = typeof fromPayload === 'string' ? fromPayload : this?.context?.request?.headers?.authorization;
  if (typeof authorization !== 'string') return Promise.resolve(false);
  const req = { id: randomUUID(), ip: 'graphql-ws', headers: { authorization } } as unknown as SubscriptionRequest;
  return authenticate(req).then(
    (actor) => {
      req.actor = actor;
      return { req };
    },
    () => false as const,
  );
}

/**
 * Maps Mercurius's `connection_error` (not part of graphql-transport-ws) to the protocol's close
 * codes: wraps the WebSocket handler of every route, so it sees a socket before Mercurius does.
 * Call before the GraphQL module registers its routes.
 */
export function installSubscriptionCloseCodes(fastify: FastifyInstance): void {
  fastify.addHook('onRoute', (route) => {
    const options = route as typeof route & { wsHandler?: (this: unknown, socket: WebSocket, req: unknown) => unknown };
    const handler = options.wsHandler;
    if (!handler) return;
    options.wsHandler = function (socket, req) {
      useCloseCodes(socket);
      return handler.call(this, socket, req);
    };
  });
}

function useCloseCodes(socket: WebSocket): void {
  if (socket.protocol !== 'graphql-transport-ws') return; // the legacy protocol has connection_error
  let initialised = false;
  socket.on('message', (data) => {
    if (!initialised && /"type"\s*:\s*"connection_init"/.test(String(data))) initialised = true;
  });
  const send = socket.send.bind(socket) as (data: unknown, ...rest: unknown[]) => void;
  socket.send = ((data: unknown, ...rest: unknown[]) => {
    if (typeof data === 'string' && data.startsWith('{"type":"connection_error"')) {
      const callback = rest.find((r) => typeof r === 'function') as ((err?: Error) => void) | undefined;
      socket.close(initialised ? 4403 : 4401, initialised ? 'Forbidden' : 'Unauthorized');
      callback?.();
      return;
    }
    send(data, ...rest);
  }) as typeof socket.send;
}

/**
 * Wraps every Subscription field of the schema: errors raised while subscribing or while the
 * stream runs get `extensions.code`, and the stream ends when its credential lapses.
 */
export function secureSubscriptions(schema: GraphQLSchema, logger: Logger, recheckMs: number): GraphQLSchema {
  const fields = schema.getSubscriptionType()?.getFields() ?? {};
  for (const field of Object.values(fields) as Array<GraphQLField<unknown, { req?: SubscriptionRequest }>>) {
    const subscribe = field.subscribe;
    if (!subscribe) continue;
    field.subscribe = async (source, args, context, info) => {
      const format = (err: unknown) =>
        toClientError(err instanceof GraphQLError ? err : locatedError(err, info.fieldNodes, pathOf(info.path)), logger);
      let result: unknown;
      try {
        result = await subscribe(source, args, context, info);
      } catch (err) {
        throw format(err);
      }
      // Nest answers a failed subscribe (a guard's refusal, NOT_FOUND) with the error, not a throw.
      if (result instanceof Error) throw format(result);
      const iterable = result as AsyncIterator<unknown> & Partial<AsyncIterable<unknown>>;
      const stream = typeof iterable.next === 'function' ? iterable : iterable[Symbol.asyncIterator]!();
      return untilCredentialLapses(stream, context.req, recheckMs, format);
    };
  }
  return schema;
}

function pathOf(path: { prev?: unknown; key: string | number } | undefined): Array<string | number> {
  const out: Array<string | number> = [];
  for (let p = path as { prev?: unknown; key: string | number } | undefined; p; p = p.prev as typeof p) out.unshift(p.key);
  return out;
}

/** The seconds-since-epoch expiry of a JWT bearer credential, or null (API keys do not expire this way). */
function jwtExpiry(authorization: string): number | null {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization.trim())?.[1];
  const body = token?.split('.')[1];
  if (!body || token!.startsWith('bw_')) return null;
  try {
    const exp = (JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp : null;
  } catch {
    return null;
  }
}

/** Authenticates the credential again; the reason the subscription must end, or null. */
async function lapse(req: SubscriptionRequest, was: Actor): Promise<AppError | null> {
  let now: Actor;
  try {
    now = await authenticate({ id: randomUUID(), ip: 'graphql-ws', headers: { authorization: req.headers.authorization } } as never);
  } catch (err) {
    return err instanceof AppError ? err : new UnauthenticatedError('The credential is no longer valid.');
  }
  if (now.workspaceId !== was.workspaceId) return new ForbiddenError('You are no longer a member of this workspace.');
  return null;
}

/**
 * The stream, ended with an error when the token expires or a periodic re-authentication fails.
 * The source is closed (its Redis subscription dropped) either way.
 */
function untilCredentialLapses(
  source: AsyncIterator<unknown>,
  req: SubscriptionRequest | undefined,
  recheckMs: number,
  format: (err: unknown) => GraphQLError,
): AsyncIterableIterator<unknown> {
  let ended: GraphQLError | null = null;
  let finished = false;
  let fail: (err: GraphQLError) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined);
  const timers: NodeJS.Timeout[] = [];
  const stop = (err: AppError) => {
    if (ended) return;
    ended = format(err);
    fail(ended);
    cleanup();
    void source.return?.();
  };
  const cleanup = () => {
    finished = true;
    timers.forEach((t) => clearTimeout(t));
  };

  if (req?.actor) {
    const actor = req.actor;
    const exp = jwtExpiry(req.headers.authorization);
    if (exp !== null) {
      const ms = Math.min(Math.max(0, exp * 1000 - Date.now()), 2 ** 31 - 1);
      timers.push(
        setTimeout(
          () =>
            stop(
              new AppError(ErrorCode.UNAUTHENTICATED, 'The token has expired; subscribe again with a fresh one.', {
                reason: 'TOKEN_EXPIRED',
              }),
            ),
          ms,
        ),
      );
    }
    const recheck = () => {
      if (finished) return;
      timers.push(
        setTimeout(() => {
          void lapse(req, actor).then((why) => (why ? stop(why) : recheck()));
        }, recheckMs),
      );
    };
    recheck();
  }

  const iterator: AsyncIterableIterator<unknown> = {
    next: () => {
      if (ended) return Promise.reject(ended);
      const next = source.next().then(
        (result) => {
          if (result.done) cleanup();
          return result;
        },
        (err: unknown) => {
          cleanup();
          throw format(err);
        },
      );
      return Promise.race([next, failed]);
    },
    return: async (value?: unknown) => {
      cleanup();
      await source.return?.(value);
      return { done: true, value: undefined };
    },
    throw: async (err?: unknown) => {
      cleanup();
      if (source.throw) return source.throw(err);
      throw err;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
