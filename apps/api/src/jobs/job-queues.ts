import { Queue, type JobsOptions } from 'bullmq';
import Redis from 'ioredis';
import { type GenerationJobPayload, JobName, QueueName, type WebhookDeliveryPayload, bullPrefix } from './job-names';

export { bullPrefix };

export interface JobQueuesOptions {
  redisUrl: string;
  /** REDIS_PREFIX: test files and deployments sharing a Redis never share queues. */
  prefix: string;
  jobAttempts: number;
  webhookAttempts: number;
  webhookBackoffMs: number;
}

/**
 * The producer side of every queue. A generation job's BullMQ id is its row id, so adding it
 * twice (the api after commit, then the sweeper) queues it once.
 */
export class JobQueues {
  private readonly connection: Redis;
  private readonly queues = new Map<QueueName, Queue>();

  constructor(private readonly options: JobQueuesOptions) {
    this.connection = new Redis(options.redisUrl, { maxRetriesPerRequest: 2 });
  }

  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: bullPrefix(this.options.prefix) });
      this.queues.set(name, queue);
    }
    return queue;
  }

  addGeneration(queue: QueueName, name: JobName, payload: GenerationJobPayload, priority: number): Promise<unknown> {
    const opts: JobsOptions = {
      jobId: payload.jobId,
      priority,
      attempts: this.options.jobAttempts,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: 3600, count: 5000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    };
    return this.queue(queue).add(name, payload, opts);
  }

  addWebhookDelivery(payload: WebhookDeliveryPayload): Promise<unknown> {
    return this.queue(QueueName.WEBHOOKS).add(JobName.DELIVER_WEBHOOK, payload, {
      jobId: payload.deliveryId,
      attempts: this.options.webhookAttempts,
      backoff: { type: 'exponential', delay: this.options.webhookBackoffMs },
      removeOnComplete: { age: 3600, count: 5000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    await this.connection.quit().catch(() => this.connection.disconnect());
  }
}
