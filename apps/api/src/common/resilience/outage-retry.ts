/**
 * Riding out an outage of PostgreSQL or Redis. An infrastructure error says nothing about the
 * work being done (the same statement succeeds once the server is back), so it is retried with
 * capped exponential backoff and jitter for as long as the outage budget allows (OUTAGE_BUDGET_MS),
 * and never spends one of a job's own attempts. Any other error is the caller's to judge.
 */

/** Node's socket errors that mean "the server is not there (right now)". */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

/**
 * PostgreSQL SQLSTATEs of a transient condition: serialization failure, deadlock, the server
 * shutting down or starting up, too many connections, and the whole connection-exception class.
 */
const PG_TRANSIENT = new Set(['40001', '40P01', '57P01', '57P02', '57P03', '53300', '53400']);

const TRANSIENT_MESSAGES = [
  // pg
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /terminating connection due to administrator command/i,
  // ioredis / BullMQ
  /Connection is closed/i,
  /Reached the max retries per request limit/i,
  /Stream isn't writeable/i,
  /^(LOADING|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN)\b/,
];

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error, depth = 0; e && depth < 5; depth++) {
    chain.push(e);
    const next = (e as { driverError?: unknown; cause?: unknown }).driverError ?? (e as { cause?: unknown }).cause;
    if (next === e) break;
    e = next;
  }
  return chain;
}

/** True for an error that another try after the outage would not repeat. */
export function isInfrastructureError(error: unknown): boolean {
  return causes(error).some((e) => {
    const code = (e as { code?: unknown })?.code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || PG_TRANSIENT.has(code) || code.startsWith('08'))) return true;
    const message = (e as { message?: unknown })?.message;
    if (typeof message === 'string' && TRANSIENT_MESSAGES.some((pattern) => pattern.test(message))) return true;
    // AggregateError (a dual-stack connect that failed on every address).
    const errors = (e as { errors?: unknown })?.errors;
    return Array.isArray(errors) && errors.length > 0 && errors.every((inner) => isInfrastructureError(inner));
  });
}

export interface OutageRetryOptions {
  /** How long to keep trying, from the first infrastructure error (OUTAGE_BUDGET_MS). */
  budgetMs: number;
  /** First pause; doubles per try up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Told of each retry (for a log line and a metric). */
  onRetry?(error: unknown, attempt: number, delayMs: number): void;
}

/** The pause before retry number `attempt` (1-based): exponential, capped, with full jitter on its upper half. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 20));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/**
 * Runs `operation`, retrying infrastructure errors until the budget is spent; any other error,
 * and the last infrastructure error after the budget, is thrown. The operation must be safe to
 * repeat (a transaction that rolled back, an idempotent add).
 */
export async function retryThroughOutage<T>(operation: () => Promise<T>, options: OutageRetryOptions): Promise<T> {
  const base = options.baseDelayMs ?? 250;
  const max = options.maxDelayMs ?? 5_000;
  let firstFailure: number | null = null;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!isInfrastructureError(error)) throw error;
      firstFailure ??= Date.now();
      const delay = backoffDelay(attempt, base, max);
      if (Date.now() + delay - firstFailure > options.budgetMs) throw error;
      options.onRetry?.(error, attempt, delay);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
