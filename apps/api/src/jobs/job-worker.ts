import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../config/config';
import { LOGGER } from '../common/logging/logger.module';
import { Metrics } from '../metrics/metrics.service';
import { QUEUE_NAMES, QUEUES, type QueueName, parseWorkerQueues } from './job-names';
import { JobRegistry } from './job-registry';
import { QueueWorkers } from './queue-workers';

/**
 * The worker process's queue consumers: the queues of WORKER_QUEUES, each job given to its
 * registered handler, every job's duration and outcome counted per queue.
 */
@Injectable()
export class JobWorker {
  readonly queues: QueueName[];
  private readonly workers: QueueWorkers;

  constructor(config: AppConfig, registry: JobRegistry, metrics: Metrics, @Inject(LOGGER) logger: Logger) {
    const v = config.values;
    this.queues = parseWorkerQueues(v.WORKER_QUEUES);
    this.workers = new QueueWorkers((name) => registry.handler(name), {
      redisUrl: v.REDIS_URL,
      prefix: v.REDIS_PREFIX,
      queues: this.queues,
      concurrency: Object.fromEntries(QUEUE_NAMES.map((q) => [q, QUEUES[q].concurrency(v)])) as Record<QueueName, number>,
      lockMs: v.JOB_LOCK_MS,
      stalledIntervalMs: v.JOB_STALLED_INTERVAL_MS,
      logger,
      onJobDone: (queue, seconds, ok) => (ok ? metrics.jobCompleted(queue, seconds) : metrics.jobFailed(queue, seconds)),
    });
  }

  /** Starts consuming `only` these queues (default: all of WORKER_QUEUES); each queue once. */
  start(only?: readonly QueueName[]): void {
    this.workers.start(only);
  }

  /** Stops taking jobs and waits for the running ones to finish. */
  close(): Promise<void> {
    return this.workers.close();
  }
}
