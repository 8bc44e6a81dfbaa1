import type { JobStatus } from './generation-job.entity';

/** One message on a job's live channel: its state, and a text token when one was produced. */
export interface GenerationUpdatePayload {
  jobId: string;
  status: JobStatus;
  progress: number;
  /** A copy token: which variant, its index within that variant's stream, the visible text. */
  token?: { variant: number; index: number; text: string } | null;
  errorCode?: string | null;
  errorMessage?: string | null;
}

/** The pub/sub topic of a job (a Redis channel under REDIS_PREFIX, see redis-pubsub.ts). */
export const generationTopic = (jobId: string) => `generation:${jobId}`;

/** The Redis channel a topic is carried on; api replicas and workers share it. */
export const pubsubChannel = (prefix: string, topic: string) => `${prefix}:pubsub:${topic}`;

/** Where workers announce cancel requests to whichever worker runs the job. */
export const cancelChannel = (prefix: string) => `${prefix}:jobs:cancel`;
