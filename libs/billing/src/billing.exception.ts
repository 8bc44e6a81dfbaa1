import { ClientCode, CodedError, type CodeTable } from '@brandwright/errors';

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

const badInput = { client: ClientCode.BAD_USER_INPUT, retryable: false };

/** What each billing code shows a client as. None is worth retrying as it stands. */
export const BILLING_ERRORS: CodeTable<BillingExceptionCode> = {
  CREDITS_EXHAUSTED: { client: ClientCode.QUOTA_EXCEEDED, retryable: false },
  SPEND_CAP_REACHED: { client: ClientCode.QUOTA_EXCEEDED, retryable: false },
  PAYMENT_FAILED: { client: ClientCode.PAYMENT_REQUIRED, retryable: false },
  INVALID_USAGE: badInput,
  INVALID_SPEND_CAP: badInput,
  UNKNOWN_PLAN: badInput,
  PLAN_NOT_PURCHASABLE: badInput,
  NO_BILLING_ACCOUNT: { client: ClientCode.NOT_FOUND, retryable: false },
  INVALID_WEBHOOK_SIGNATURE: badInput,
  STRIPE_NOT_SET_UP: { client: ClientCode.CONFLICT, retryable: false },
};

/**
 * Every billing failure a client may see: a CodedError whose `code` is billing's own reason
 * (CREDITS_EXHAUSTED…), shown to clients as its client code with the reason in
 * `extensions.reason`. A `field` in `extensions` names the input to blame.
 */
export class BillingException extends CodedError<BillingExceptionCode> {
  constructor(reason: BillingExceptionCode, message: string, extensions: Record<string, unknown> = {}) {
    const { field, ...rest } = extensions;
    super(reason, message, BILLING_ERRORS[reason], typeof field === 'string' ? field : undefined, { reason, ...rest });
  }

  /** Billing's own code (the same as `code`). */
  get reason(): BillingExceptionCode {
    return this.code;
  }
}
