import { registerEnumType } from '@nestjs/graphql';

/** What a client webhook endpoint can subscribe to. */
export enum WebhookEvent {
  JOB_COMPLETED = 'job.completed',
  JOB_FAILED = 'job.failed',
  BILLING_ALERT = 'billing.alert',
}
registerEnumType(WebhookEvent, {
  name: 'WebhookEvent',
  valuesMap: {
    JOB_COMPLETED: { description: 'A generation job finished; its results are in the payload.' },
    JOB_FAILED: { description: 'A generation job failed for good (or was cancelled).' },
    BILLING_ALERT: { description: 'The workspace used 80 % or 100 % of its credits this period.' },
  },
});
