/** The error codes a client can see, from ARCHITECTURE.md. */
export enum ErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  QUOTA_EXCEEDED = 'QUOTA_EXCEEDED',
  PAYMENT_REQUIRED = 'PAYMENT_REQUIRED',
  RATE_LIMITED = 'RATE_LIMITED',
  CONFLICT = 'CONFLICT',
  /** A dependency (Redis, the queue) is down for now; retry after `retryAfterSeconds` (HTTP 503). */
  UNAVAILABLE = 'UNAVAILABLE',
  INTERNAL = 'INTERNAL',
}

/**
 * Base of every domain exception that may reach a client. Each domain (auth, brands, billing…)
 * throws its own subclass; the GraphQL error formatter maps them to `extensions.code` at the edge.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Safe extra fields for `extensions` (e.g. `field`, `retryAfterSeconds`). */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'Sign in, or send a valid API key.') {
    super(ErrorCode.UNAUTHENTICATED, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string) {
    super(ErrorCode.FORBIDDEN, message);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id?: string) {
    super(ErrorCode.NOT_FOUND, id ? `${what} ${id} was not found.` : `${what} was not found.`);
  }
}

export class BadUserInputError extends AppError {
  constructor(field: string, problem: string) {
    super(ErrorCode.BAD_USER_INPUT, `${field}: ${problem}`, { field });
  }
}

export class ConflictError extends AppError {
  constructor(message: string, field?: string) {
    super(ErrorCode.CONFLICT, message, field ? { field } : {});
  }
}

export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number, what = 'requests') {
    super(ErrorCode.RATE_LIMITED, `Too many ${what}; retry in ${retryAfterSeconds} s.`, { retryAfterSeconds });
  }
}
