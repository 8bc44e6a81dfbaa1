/**
 * Every queue and job name in one place. The worker refuses to start when a job name of a queue
 * it consumes has no handler (see queue-workers.ts).
 */
import { BILLING_QUEUE } from '@brandwright/billing';
import { JobKind } from './generation-job.entity';

export enum QueueName {
  GENERATE_TEXT = 'generate-text',
  GENERATE_IMAGE = 'generate-image',
  WEBHOOKS = 'webhooks',
}

export enum JobName {
  GENERATE_COPY = 'generate-copy',
  GENERATE_AD_IMAGES = 'generate-ad-images',
  DELIVER_WEBHOOK = 'deliver-webhook',
}

export const QUEUE_JOBS: Readonly<Record<QueueName, readonly JobName[]>> = {
  [QueueName.GENERATE_TEXT]: [JobName.GENERATE_COPY],
  [QueueName.GENERATE_IMAGE]: [JobName.GENERATE_AD_IMAGES],
  [QueueName.WEBHOOKS]: [JobName.DELIVER_WEBHOOK],
};

export const QUEUE_NAMES: readonly QueueName[] = Object.values(QueueName);

/** Payload of a generation job: ids only; the row holds the request. */
export interface GenerationJobPayload {
  workspaceId: string;
  jobId: string;
  /** The api request that created it, so the worker's log lines can be joined to it. */
  requestId?: string;
}

/** Payload of a webhook delivery: the outbox row to send. */
export interface WebhookDeliveryPayload {
  workspaceId: string;
  deliveryId: string;
}

export const queueForKind: Readonly<Record<JobKind, { queue: QueueName; name: JobName }>> = {
  [JobKind.COPY]: { queue: QueueName.GENERATE_TEXT, name: JobName.GENERATE_COPY },
  [JobKind.AD_IMAGES]: { queue: QueueName.GENERATE_IMAGE, name: JobName.GENERATE_AD_IMAGES },
};

/** Parses WORKER_QUEUES, refusing names that are not queues. */
/** Queues a worker may consume whose processors live outside the generation runtime. */
export const OTHER_WORKER_QUEUES: readonly string[] = [BILLING_QUEUE];

/** The generation runtime's share of WORKER_QUEUES; an unknown name stops the worker at start. */
export function parseWorkerQueues(value: string): QueueName[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const known = [...QUEUE_NAMES, ...OTHER_WORKER_QUEUES];
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length) throw new Error(`WORKER_QUEUES: unknown queue(s) ${unknown.join(', ')}; choose from ${known.join(', ')}`);
  return [...new Set(names.filter((n) => (QUEUE_NAMES as readonly string[]).includes(n)))] as QueueName[];
}
