import { HttpException } from '@nestjs/common';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import { CodedError } from '@brandwright/errors';
import { ErrorCode } from './app-error';
import { clientErrorOf } from './client-error';
import { isInfrastructureError } from '../resilience/outage-retry';

const codes = new Set<string>(Object.values(ErrorCode));

interface Shown {
  code: string;
  message: string;
  extensions?: Record<string, unknown>;
}

function fromHttp(error: HttpException): Shown {
  const status = error.getStatus();
  const code =
    status === 401
      ? ErrorCode.UNAUTHENTICATED
      : status === 403
        ? ErrorCode.FORBIDDEN
        : status === 404
          ? ErrorCode.NOT_FOUND
          : status === 409
            ? ErrorCode.CONFLICT
            : status === 429
              ? ErrorCode.RATE_LIMITED
              : status < 500
                ? ErrorCode.BAD_USER_INPUT
                : ErrorCode.INTERNAL;
  return { code, message: code === ErrorCode.INTERNAL ? 'Something went wrong on our side.' : error.message };
}

/**
 * The one place errors become what a client sees: `extensions.code` from ARCHITECTURE.md's list,
 * a readable message, never a stack trace. Coded errors (every domain's) are mapped by
 * clientErrorOf; unknown errors are logged and answered as INTERNAL.
 */
export function toClientError(error: GraphQLError, logger: Logger): GraphQLError {
  const original = error.originalError;
  let coded: Shown | null =
    original instanceof CodedError
      ? clientErrorOf(original, (err) => logger.error({ err, path: error.path }, 'an internal error reached a client'))
      : null;
  if (!coded && original instanceof HttpException) coded = fromHttp(original);
  // graphql-js wraps variable coercion failures ("BILLBOARD" is not a Channel) around a GraphQLError.
  if (!coded && original instanceof GraphQLError && !original.originalError) return toClientError(original, logger);
  if (!coded && !original) {
    // graphql-js's own errors: parse, validation (unknown field, wrong argument type), depth/complexity.
    const given = error.extensions?.code;
    coded = {
      code: typeof given === 'string' && codes.has(given) ? given : ErrorCode.BAD_USER_INPUT,
      message: error.message,
      extensions: given === ErrorCode.BAD_USER_INPUT || !given ? {} : (error.extensions as Record<string, unknown>),
    };
  }
  if (!coded && original && isInfrastructureError(original)) {
    // PostgreSQL or Redis is unreachable: not our bug, and worth retrying (503 with Retry-After).
    logger.warn({ err: original, path: error.path }, 'a dependency is unavailable');
    coded = {
      code: ErrorCode.UNAVAILABLE,
      message: 'A service Brandwright depends on is unavailable right now; retry shortly.',
      extensions: { retryAfterSeconds: 5 },
    };
  }
  if (!coded) {
    logger.error({ err: original, path: error.path }, 'unhandled error in a resolver');
    coded = { code: ErrorCode.INTERNAL, message: 'Something went wrong on our side; it has been logged.' };
  }
  const { code: _ignored, ...extra } = coded.extensions ?? {};
  return new GraphQLError(coded.message, {
    nodes: error.nodes,
    path: error.path,
    extensions: { ...extra, code: coded.code },
  });
}
