import { DiscoveryService } from '@nestjs/core';
import type { Job } from 'bullmq';
import type { JobName } from './job-names';

/**
 * What handles one job name: a provider class marked `@JobHandler(JobName.X)`. The registry finds
 * every such provider in the app; a feature registers a job by listing its handler in a module.
 */
export interface JobHandler<Payload = unknown> {
  /** Runs the job; throwing lets BullMQ retry it (unless it was the last attempt). */
  process(job: Job<Payload>, token: string | undefined): Promise<unknown>;
  /** The job left the queue failed for good without the handler deciding (stalled too often, retries spent). */
  failedForGood?(job: Job<Payload>, error: Error): Promise<void>;
}

/** Marks a provider as the handler of a job name. */
export const JobHandler = DiscoveryService.createDecorator<JobName>();
