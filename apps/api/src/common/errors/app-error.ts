import { ClientCode, CodedError } from '@brandwright/errors';

/** The error codes a client can see (ARCHITECTURE.md "Errors"); @brandwright/errors holds the list. */
export { ClientCode as ErrorCode };

/**
 * The api's own errors, as the one coded error type (@brandwright/errors' CodedError): the
 * specific code is the client code itself unless a `reason` is given. Worth retrying only when a
 * dependency is down or a limit lapses; `extensions.field` becomes the error's field.
 */
export class AppError extends CodedError {
  constructor(code: ClientCode, message: string, extensions: Record<string, unknown> = {}, reason: string = code) {
    const { field, ...rest } = extensions;
    super(
      reason,
      message,
      { client: code, retryable: code === ClientCode.UNAVAILABLE || code === ClientCode.RATE_LIMITED },
      typeof field === 'string' ? field : undefined,
      rest,
    );
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'Sign in, or send a valid API key.') {
    super(ClientCode.UNAUTHENTICATED, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string) {
    super(ClientCode.FORBIDDEN, message);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id?: string) {
    super(ClientCode.NOT_FOUND, id ? `${what} ${id} was not found.` : `${what} was not found.`);
  }
}

export class BadUserInputError extends AppError {
  constructor(field: string, problem: string) {
    super(ClientCode.BAD_USER_INPUT, `${field}: ${problem}`, { field });
  }
}

export class ConflictError extends AppError {
  constructor(message: string, field?: string) {
    super(ClientCode.CONFLICT, message, field ? { field } : {});
  }
}

export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number, what = 'requests') {
    super(ClientCode.RATE_LIMITED, `Too many ${what}; retry in ${retryAfterSeconds} s.`, { retryAfterSeconds });
  }
}
