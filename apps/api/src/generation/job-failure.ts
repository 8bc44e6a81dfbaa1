import { ClientCode, CodedError, assertUnreachable } from '@brandwright/errors';

/** What the runner records of a failed attempt, and whether another attempt may follow. */
export interface JobFailure {
  /** The job's errorCode: the coded error's specific code (MODEL_SIGNATURE_MISMATCH, BRAND_DELETED…). */
  code: string;
  message: string;
  retry: boolean;
}

/**
 * How the job runner treats an error a handler threw, exhaustive over the client codes (a new
 * one fails to compile until it is placed here). Permanent errors end the job at once: another
 * attempt would fail the same way and bill nothing but time.
 */
export function jobFailureOf(error: unknown): JobFailure {
  if (!(error instanceof CodedError)) {
    // Not ours to classify (a driver's error, a bug): worth the remaining attempts.
    return { code: ClientCode.INTERNAL, message: error instanceof Error ? error.message : String(error), retry: true };
  }
  const failure = (retry: boolean): JobFailure => ({ code: error.code, message: error.message, retry });
  switch (error.clientCode) {
    // The request, its brand or its account is wrong: the same job fails the same way.
    case ClientCode.BAD_USER_INPUT:
    case ClientCode.NOT_FOUND:
    case ClientCode.FORBIDDEN:
    case ClientCode.UNAUTHENTICATED:
    case ClientCode.CONFLICT:
    case ClientCode.QUOTA_EXCEEDED:
    case ClientCode.PAYMENT_REQUIRED:
      return failure(false);
    // A dependency or a limit that lapses.
    case ClientCode.UNAVAILABLE:
    case ClientCode.RATE_LIMITED:
      return failure(true);
    // Our side failed: the code's own table says whether a retry can help (a broken model cannot).
    case ClientCode.INTERNAL:
      return failure(error.retryable);
    default:
      return assertUnreachable(error.clientCode);
  }
}
