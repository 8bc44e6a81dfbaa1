import { ClientCode, type CodedError, assertUnreachable } from '@brandwright/errors';

/** What a client is shown of a coded error, in GraphQL (`extensions`) and REST (`error`) alike. */
export interface ClientError {
  code: ClientCode;
  message: string;
  extensions: Record<string, unknown>;
  /** HTTP status for REST (and GraphQL-over-HTTP refusals before execution). */
  status: number;
}

const INTERNAL_MESSAGE = 'Something went wrong on our side; it has been logged.';

/**
 * The one mapping from a coded error to what a client sees: exhaustive over the client codes, so
 * a new code fails to compile until it is placed here. `internal` is told of errors that are our
 * own fault (their message stays in our log, not in the answer).
 */
export function clientErrorOf(error: CodedError, internal: (error: CodedError) => void): ClientError {
  const extensions: Record<string, unknown> = { ...error.extensions, ...(error.field ? { field: error.field } : {}) };
  const shown = (status: number): ClientError => ({ code: error.clientCode, message: error.message, extensions, status });
  switch (error.clientCode) {
    case ClientCode.BAD_USER_INPUT:
      return shown(400);
    case ClientCode.UNAUTHENTICATED:
      return shown(401);
    case ClientCode.QUOTA_EXCEEDED:
    case ClientCode.PAYMENT_REQUIRED:
      return shown(402);
    case ClientCode.FORBIDDEN:
      return shown(403);
    case ClientCode.NOT_FOUND:
      return shown(404);
    case ClientCode.CONFLICT:
      return shown(409);
    case ClientCode.RATE_LIMITED:
      return { ...shown(429), extensions: { retryAfterSeconds: 1, ...extensions } };
    case ClientCode.UNAVAILABLE:
      return { ...shown(503), extensions: { retryAfterSeconds: 5, ...extensions } };
    case ClientCode.INTERNAL:
      internal(error);
      return { code: ClientCode.INTERNAL, message: INTERNAL_MESSAGE, extensions: {}, status: 500 };
    default:
      return assertUnreachable(error.clientCode);
  }
}
