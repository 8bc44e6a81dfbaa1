/** Why billing refused or failed something, in the product's words. */
export enum BillingExceptionCode {
  CREDITS_EXHAUSTED = 'CREDITS_EXHAUSTED',
  SPEND_CAP_REACHED = 'SPEND_CAP_REACHED',
  PAYMENT_FAILED = 'PAYMENT_FAILED',
  INVALID_USAGE = 'INVALID_USAGE',
  INVALID_SPEND_CAP = 'INVALID_SPEND_CAP',
  UNKNOWN_PLAN = 'UNKNOWN_PLAN',
  PLAN_NOT_PURCHASABLE = 'PLAN_NOT_PURCHASABLE',
  NO_BILLING_ACCOUNT = 'NO_BILLING_ACCOUNT',
  INVALID_WEBHOOK_SIGNATURE = 'INVALID_WEBHOOK_SIGNATURE',
  STRIPE_NOT_SET_UP = 'STRIPE_NOT_SET_UP',
}

/** The client-facing error codes (ARCHITECTURE.md "Errors") billing maps to. */
export type BillingErrorCode = 'QUOTA_EXCEEDED' | 'PAYMENT_REQUIRED' | 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT';

const clientCode: Record<BillingExceptionCode, BillingErrorCode> = {
  CREDITS_EXHAUSTED: 'QUOTA_EXCEEDED',
  SPEND_CAP_REACHED: 'QUOTA_EXCEEDED',
  PAYMENT_FAILED: 'PAYMENT_REQUIRED',
  INVALID_USAGE: 'BAD_USER_INPUT',
  INVALID_SPEND_CAP: 'BAD_USER_INPUT',
  UNKNOWN_PLAN: 'BAD_USER_INPUT',
  PLAN_NOT_PURCHASABLE: 'BAD_USER_INPUT',
  NO_BILLING_ACCOUNT: 'NOT_FOUND',
  INVALID_WEBHOOK_SIGNATURE: 'BAD_USER_INPUT',
  STRIPE_NOT_SET_UP: 'CONFLICT',
};

/**
 * Every billing failure a client may see. libs/billing does not import the API, so this class
 * carries the same shape as the API's AppError (`code` from the GraphQL list plus `extensions`);
 * the API's error formatter maps any such error at the edge. `reason` keeps billing's own finer
 * code, and is repeated in `extensions.reason` for clients.
 */
export class BillingException extends Error {
  readonly code: BillingErrorCode;
  readonly extensions: Record<string, unknown>;

  constructor(
    readonly reason: BillingExceptionCode,
    message: string,
    extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'BillingException';
    this.code = clientCode[reason];
    this.extensions = { reason, ...extensions };
  }
}
