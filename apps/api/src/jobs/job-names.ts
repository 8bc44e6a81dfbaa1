/**
 * Every queue and job name, in one place. The worker consumes the queues WORKER_QUEUES names, the
 * metrics report every queue listed here, and start-up fails unless every job name has exactly one
 * handler (job-registry.ts). A new job kind: a name here, one handler class (`@JobHandler`), and
 * that class in its feature's worker module.
 */
import type { ConfigValues } from '../config/config';

export enum QueueName {
  GENERATE_TEXT = 'generate-text',
  GENERATE_IMAGE = 'generate-image',
  WEBHOOKS = 'webhooks',
  BILLING = 'billing',
}

export enum JobName {
  GENERATE_COPY = 'generate-copy',
  GENERATE_AD_IMAGES = 'generate-ad-images',
  DELIVER_WEBHOOK = 'deliver-webhook',
  /** Sends settled usage rows to Stripe as meter events, in batches; repeats every few seconds. */
  REPORT_USAGE = 'report-usage',
  /** Compares yesterday's ledger with Stripe's meter event summaries; nightly. */
  RECONCILE_USAGE = 'reconcile-usage',
}

export interface QueueDefinition {
  jobs: readonly JobName[];
  /** Jobs this queue runs at once in one worker process. */
  concurrency(config: ConfigValues): number;
  /** Runs inference: GPU workers consume it and KEDA scales on it. */
  generation: boolean;
}

export const QUEUES: Readonly<Record<QueueName, QueueDefinition>> = {
  [QueueName.GENERATE_TEXT]: { jobs: [JobName.GENERATE_COPY], concurrency: (v) => v.TEXT_CONCURRENCY, generation: true },
  [QueueName.GENERATE_IMAGE]: { jobs: [JobName.GENERATE_AD_IMAGES], concurrency: (v) => v.IMAGE_CONCURRENCY, generation: true },
  [QueueName.WEBHOOKS]: { jobs: [JobName.DELIVER_WEBHOOK], concurrency: (v) => v.WEBHOOK_CONCURRENCY, generation: false },
  // One at a time: a report pass already sends its batches concurrently.
  [QueueName.BILLING]: { jobs: [JobName.REPORT_USAGE, JobName.RECONCILE_USAGE], concurrency: () => 1, generation: false },
};

export const QUEUE_NAMES: readonly QueueName[] = Object.values(QueueName);
export const JOB_NAMES: readonly JobName[] = Object.values(JobName);
export const GENERATION_QUEUES: readonly QueueName[] = QUEUE_NAMES.filter((q) => QUEUES[q].generation);

/** The queue a job name is added to. */
export function queueOf(name: JobName): QueueName {
  return QUEUE_NAMES.find((q) => QUEUES[q].jobs.includes(name))!;
}

/** BullMQ's key prefix under REDIS_PREFIX, for every queue (test files and deployments sharing a Redis never share queues). */
export const bullPrefix = (redisPrefix: string) => `${redisPrefix}:bull`;

/** Parses WORKER_QUEUES; an unknown name stops the worker at start. */
export function parseWorkerQueues(value: string): QueueName[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(QUEUE_NAMES as readonly string[]).includes(n));
  if (unknown.length) throw new Error(`WORKER_QUEUES: unknown queue(s) ${unknown.join(', ')}; choose from ${QUEUE_NAMES.join(', ')}`);
  return [...new Set(names)] as QueueName[];
}

/** Payload of a generation job: ids only; the row holds the request. */
export interface GenerationJobPayload {
  workspaceId: string;
  jobId: string;
  /** The api request that created it, so the worker's log lines can be joined to it. */
  requestId?: string;
  /** W3C trace context of the enqueue span: the worker's spans join the request's trace. */
  trace?: Record<string, string>;
}

/** Payload of a webhook delivery: the outbox row to send. */
export interface WebhookDeliveryPayload {
  workspaceId: string;
  deliveryId: string;
}

/** Payload of RECONCILE_USAGE: the window to compare (defaults to yesterday, UTC). */
export interface ReconcileUsagePayload {
  from?: string;
  to?: string;
}
