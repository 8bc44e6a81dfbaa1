import type { CombinedError } from 'urql';

/**
 * An api error as a sentence a marketer can act on: what went wrong and what to do next.
 * The api's `extensions.code` decides the advice; its message adds the detail.
 */
export function describeError(error: CombinedError | Error | null | undefined): string | null {
  if (!error) return null;
  if (!('graphQLErrors' in error)) return error.message;
  if (error.networkError) return 'The Brandwright server could not be reached. Check your connection, then try again.';
  const first = error.graphQLErrors[0];
  if (!first) return error.message;
  const ext = (first.extensions ?? {}) as { code?: string; field?: string; retryAfterSeconds?: number };
  const detail = first.message;
  switch (ext.code) {
    case 'UNAUTHENTICATED':
      return 'Your session has ended. Log in again to continue.';
    case 'FORBIDDEN':
      return `${detail} Ask an owner or admin of this workspace if you need access.`;
    case 'NOT_FOUND':
      return `${detail} It may have been deleted; go back to the list and pick another.`;
    case 'BAD_USER_INPUT':
      return ext.field ? `Check “${humanField(ext.field)}”: ${detail}` : `${detail} Correct the form and try again.`;
    case 'QUOTA_EXCEEDED':
      return `${detail} Upgrade your plan or raise the spend cap under Usage & billing.`;
    case 'PAYMENT_REQUIRED':
      return `${detail} Add or update a payment method under Usage & billing.`;
    case 'RATE_LIMITED':
      return `Too many requests right now. Try again in ${ext.retryAfterSeconds ?? 60} seconds.`;
    case 'CONFLICT':
      return detail;
    default:
      return 'Something went wrong on our side. Try again; if it keeps happening, tell your administrator.';
  }
}

/** The field a BAD_USER_INPUT names, e.g. `input.toneTraits.0.weAre` → `tone traits 1 we are`. */
export function humanField(path: string): string {
  return path
    .replace(/^input\./, '')
    .split('.')
    .map((part) => (/^\d+$/.test(part) ? String(Number(part) + 1) : part.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()))
    .join(' ');
}

/** The field a BAD_USER_INPUT error names, to mark that input invalid. */
export function errorField(error: CombinedError | null | undefined): string | null {
  const ext = error?.graphQLErrors[0]?.extensions as { code?: string; field?: string } | undefined;
  return ext?.code === 'BAD_USER_INPUT' ? (ext.field ?? null) : null;
}
