import type Redis from 'ioredis';
import { type GenerationUpdatePayload, cancelChannel, generationTopic, pubsubChannel } from './generation-update';

/**
 * Publishes a job's live updates on Redis (read by `generationUpdated` on every api replica), and
 * cancel requests to the workers.
 */
export class GenerationEvents {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  publish(update: GenerationUpdatePayload): Promise<number> {
    return this.redis.publish(pubsubChannel(this.prefix, generationTopic(update.jobId)), JSON.stringify(update));
  }

  requestCancel(jobId: string): Promise<number> {
    return this.redis.publish(cancelChannel(this.prefix), jobId);
  }
}
