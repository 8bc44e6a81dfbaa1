import { GENERATION_QUEUES, QUEUE_NAMES, bullPrefix } from '../jobs/job-names';

/**
 * The queues whose depth and age the metrics report: every queue of the job registry
 * (jobs/job-names.ts), all under the one BullMQ prefix. test/deploy checks the KEDA trigger's
 * names against GENERATION_QUEUES.
 */
export interface MonitoredQueue {
  name: string;
  bullPrefix(redisPrefix: string): string;
}

export { GENERATION_QUEUES };

export const MONITORED_QUEUES: readonly MonitoredQueue[] = QUEUE_NAMES.map((name) => ({ name, bullPrefix }));
