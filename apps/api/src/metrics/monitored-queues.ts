/**
 * The queues whose depth and age the metrics report, with the BullMQ key prefix each is created
 * under (generation/job-queues.ts puts the generation queues under `<REDIS_PREFIX>:bull`; the
 * billing processor uses REDIS_PREFIX itself). Listed here rather than imported from the
 * processors so /metrics does not load the engines; test/deploy checks the KEDA trigger's names
 * against GENERATION_QUEUES.
 */
export interface MonitoredQueue {
  name: string;
  bullPrefix(redisPrefix: string): string;
}

const underBull = (redisPrefix: string) => `${redisPrefix}:bull`;
const atRoot = (redisPrefix: string) => redisPrefix;

/** The generation queues: the ones GPU workers consume and KEDA scales on. */
export const GENERATION_QUEUES = ['generate-text', 'generate-image'] as const;

export const MONITORED_QUEUES: readonly MonitoredQueue[] = [
  { name: 'generate-text', bullPrefix: underBull },
  { name: 'generate-image', bullPrefix: underBull },
  { name: 'webhooks', bullPrefix: underBull },
  { name: 'billing', bullPrefix: atRoot },
];
