import { type Job, UnrecoverableError, Worker } from 'bullmq';
import Redis from 'ioredis';
import type { Logger } from 'pino';
import { type JobName, type QueueName, bullPrefix } from './job-names';
import type { JobHandler } from './job-handler';

export interface QueueWorkersOptions {
  redisUrl: string;
  prefix: string;
  /** The queues this process may consume (WORKER_QUEUES). */
  queues: readonly QueueName[];
  concurrency: Readonly<Record<QueueName, number>>;
  lockMs: number;
  stalledIntervalMs: number;
  logger: Logger;
  /** Told each job's duration and outcome (the metrics). */
  onJobDone?(queue: QueueName, seconds: number, ok: boolean): void;
}

/**
 * BullMQ consumers for the queues this process runs, one Worker per queue, all under the one
 * BullMQ prefix. A worker killed mid-job stops renewing its lock; after JOB_LOCK_MS another
 * worker's stalled check puts the job back (up to twice, then it fails for good and the job's
 * handler hears of it through `failedForGood`).
 */
export class QueueWorkers {
  private readonly workers: Worker[] = [];
  private readonly connections: Redis[] = [];
  private readonly started = new Set<QueueName>();

  constructor(
    private readonly resolve: (name: JobName) => JobHandler | undefined,
    private readonly options: QueueWorkersOptions,
  ) {}

  /** Starts consuming `only` these queues (default: all of WORKER_QUEUES); each queue once. */
  start(only: readonly QueueName[] = this.options.queues): void {
    for (const queue of only) {
      if (this.started.has(queue)) continue;
      this.started.add(queue);
      const connection = new Redis(this.options.redisUrl, { maxRetriesPerRequest: null });
      this.connections.push(connection);
      const worker = new Worker(queue, (job, token) => this.process(queue, job, token), {
        connection,
        prefix: bullPrefix(this.options.prefix),
        concurrency: this.options.concurrency[queue],
        lockDuration: this.options.lockMs,
        stalledInterval: this.options.stalledIntervalMs,
        maxStalledCount: 2,
      });
      worker.on('failed', (job, error) => {
        if (!job) return;
        const spent = error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1) || /stalled/i.test(error.message);
        const handler = this.resolve(job.name as JobName);
        if (spent && handler?.failedForGood) {
          handler
            .failedForGood(job, error)
            .catch((err: Error) => this.options.logger.error({ err, jobId: job.id }, 'could not record a failed job'));
        }
      });
      worker.on('error', (err) => this.options.logger.error({ err, queue }, 'queue worker error'));
      this.workers.push(worker);
      this.options.logger.info({ queue, concurrency: this.options.concurrency[queue] }, 'consuming queue');
    }
  }

  private async process(queue: QueueName, job: Job, token: string | undefined): Promise<unknown> {
    const handler = this.resolve(job.name as JobName);
    if (!handler) throw new UnrecoverableError(`no handler for job "${job.name}" on queue "${queue}"`);
    const started = Date.now();
    try {
      const result = await handler.process(job, token);
      this.options.onJobDone?.(queue, (Date.now() - started) / 1000, true);
      return result;
    } catch (err) {
      this.options.onJobDone?.(queue, (Date.now() - started) / 1000, false);
      throw err;
    }
  }

  /** Stops taking jobs and waits for the running ones to finish (SIGTERM). */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all(this.connections.map((c) => c.quit().catch(() => c.disconnect())));
  }
}
