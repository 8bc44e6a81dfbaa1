/** The billing queue and its jobs. Every job name has a processor (see BillingWorkerModule). */
export const BILLING_QUEUE = 'billing';

export enum BillingJob {
  /** Sends settled usage rows to Stripe as meter events, in batches; repeats every few seconds. */
  REPORT_USAGE = 'report-usage',
  /** Compares yesterday's ledger with Stripe's meter event summaries; nightly. */
  RECONCILE_USAGE = 'reconcile-usage',
}

export const BILLING_JOBS: readonly BillingJob[] = Object.values(BillingJob);

/** Payload of RECONCILE_USAGE: the window to compare (defaults to yesterday, UTC). */
export interface ReconcileUsagePayload {
  from?: string;
  to?: string;
}
