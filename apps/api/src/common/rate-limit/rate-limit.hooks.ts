import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ErrorCode } from '../errors/app-error';
import type { LimitedRequest, RateLimiter, RateLimitState } from './rate-limiter';

/** Probes and scrapes: never limited (a liveness probe that gets 429 restarts a healthy pod). */
const UNLIMITED = /^\/(healthz|readyz|metrics)(\?|$)/;

/**
 * Rate limiting at the HTTP edge, before authentication and before the body is read: every
 * request spends from its client address's budget (and from the anonymous one when it carries no
 * credentials). `request.ip` is the client address: Fastify takes it from X-Forwarded-For only
 * when the peer is one of TRUSTED_PROXIES. Every answer carries the RateLimit-* headers (IETF
 * draft) of the tightest budget it touched; a refusal is 429 with Retry-After.
 */
export function installRateLimits(fastify: FastifyInstance, limiter: RateLimiter): void {
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (UNLIMITED.test(request.url)) return;
    const credentials = Boolean(request.headers.authorization);
    try {
      await limiter.admitAddress(request as LimitedRequest, request.ip, credentials);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return refuse(request, reply, err);
    }
  });

  fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const state = (request as LimitedRequest).rateLimit;
    if (state) writeHeaders(reply, state);
    return payload;
  });
}

/** The RateLimit-* headers (draft-ietf-httpapi-ratelimit-headers), and Retry-After on a refusal. */
export function writeHeaders(reply: FastifyReply, state: RateLimitState): void {
  void reply.header('ratelimit-limit', String(state.limit));
  void reply.header('ratelimit-remaining', String(state.remaining));
  void reply.header('ratelimit-reset', String(state.resetSeconds));
  void reply.header('ratelimit-policy', `${state.limit};w=${state.windowSeconds}`);
  if (state.retryAfterSeconds !== undefined) void reply.header('retry-after', String(state.retryAfterSeconds));
}

/** 429 (or 503 while the limits cannot be checked), in the shape the path's clients read. */
function refuse(request: FastifyRequest, reply: FastifyReply, err: AppError): FastifyReply {
  const status = err.code === ErrorCode.RATE_LIMITED ? 429 : err.code === ErrorCode.UNAVAILABLE ? 503 : 500;
  const retry = err.extensions.retryAfterSeconds;
  if (typeof retry === 'number') void reply.header('retry-after', String(retry));
  const extensions = { ...err.extensions, code: err.code };
  const body = request.url.startsWith('/graphql')
    ? { errors: [{ message: err.message, extensions }] }
    : { error: { code: err.code, message: err.message } };
  return reply.status(status).send(body);
}
