import { type Job, UnrecoverableError, Worker } from 'bullmq';
import Redis from 'ioredis';
import type { Logger } from 'pino';
import { bullPrefix } from './job-queues';
import { type JobName, QUEUE_JOBS, QueueName } from './queues';

/** Processes one job name. */
export interface JobHandler {
  readonly queue: QueueName;
  readonly name: JobName;
  process(job: Job, token: string | undefined): Promise<void>;
}

export interface QueueWorkersOptions {
  redisUrl: string;
  prefix: string;
  queues: QueueName[];
  concurrency: Record<QueueName, number>;
  lockMs: number;
  stalledIntervalMs: number;
  logger: Logger;
  /** A job left the queue failed without its handler deciding (stalled too often, retries spent). */
  onFailedForGood?(queue: QueueName, job: Job, error: Error): Promise<void>;
}

/** Refuses to start when a job name of a consumed queue has no handler (or has two). */
export function assertEveryJobHasHandler(queues: QueueName[], handlers: JobHandler[]): void {
  const problems: string[] = [];
  for (const queue of queues) {
    for (const name of QUEUE_JOBS[queue]) {
      const count = handlers.filter((h) => h.queue === queue && h.name === name).length;
      if (count !== 1) problems.push(`${queue}/${name} has ${count} handlers`);
    }
  }
  if (problems.length) throw new Error(`Every job needs exactly one handler: ${problems.join('; ')}`);
}

/**
 * BullMQ consumers for the queues this process runs (WORKER_QUEUES). A worker killed mid-job
 * stops renewing its lock; after JOB_LOCK_MS another worker's stalled check puts the job back
 * (up to twice, then it fails for good and `onFailedForGood` records it).
 */
export class QueueWorkers {
  private readonly workers: Worker[] = [];
  private readonly connections: Redis[] = [];

  constructor(
    private readonly handlers: JobHandler[],
    private readonly options: QueueWorkersOptions,
  ) {
    assertEveryJobHasHandler(options.queues, handlers);
  }

  start(): void {
    for (const queue of this.options.queues) {
      const byName = new Map(this.handlers.filter((h) => h.queue === queue).map((h) => [h.name as string, h]));
      const connection = new Redis(this.options.redisUrl, { maxRetriesPerRequest: null });
      this.connections.push(connection);
      const worker = new Worker(
        queue,
        async (job, token) => {
          const handler = byName.get(job.name);
          if (!handler) throw new UnrecoverableError(`no handler for job "${job.name}" on queue "${queue}"`);
          await handler.process(job, token);
        },
        {
          connection,
          prefix: bullPrefix(this.options.prefix),
          concurrency: this.options.concurrency[queue],
          lockDuration: this.options.lockMs,
          stalledInterval: this.options.stalledIntervalMs,
          maxStalledCount: 2,
        },
      );
      worker.on('failed', (job, error) => {
        if (!job) return;
        const spent = job.attemptsMade >= (job.opts.attempts ?? 1) || /stalled/i.test(error.message);
        if (spent && this.options.onFailedForGood) {
          this.options
            .onFailedForGood(queue, job, error)
            .catch((err: Error) => this.options.logger.error({ err, jobId: job.id }, 'could not record a failed job'));
        }
      });
      worker.on('error', (err) => this.options.logger.error({ err, queue }, 'queue worker error'));
      this.workers.push(worker);
      this.options.logger.info({ queue, concurrency: this.options.concurrency[queue] }, 'consuming queue');
    }
  }

  /** Stops taking jobs and waits for the running ones to finish (SIGTERM). */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all(this.connections.map((c) => c.quit().catch(() => c.disconnect())));
  }
}
