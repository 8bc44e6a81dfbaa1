import type { DataSource } from 'typeorm';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { FairScheduler } from './fair-scheduler';
import type { JobQueues } from './job-queues';
import type { JobKind } from './generation-job.entity';
import { queueForKind } from './queues';

interface StaleJob {
  id: string;
  workspace_id: string;
  kind: JobKind;
  status: string;
  priority: number;
  updated_at: Date;
}

/**
 * Keeps rows and queue entries from diverging: the api enqueues after its transaction commits,
 * so a crash (or Redis outage) in between leaves a QUEUED row with no queue entry. Every
 * JOB_SWEEP_INTERVAL_MS one worker (a Redis lock) pages through jobs QUEUED or RUNNING for longer
 * than JOB_SWEEP_AFTER_MS — across workspaces, through the SECURITY DEFINER function
 * stale_generation_jobs — and re-adds those BullMQ does not hold. Adding an existing job id is a
 * no-op in BullMQ, and the job runner ignores rows already finished, so a sweep never duplicates.
 */
export class JobSweeper {
  private timer: NodeJS.Timeout | null = null;
  private cursor = new Date(0);

  constructor(
    private readonly dataSource: DataSource,
    private readonly redis: Redis,
    private readonly queues: JobQueues,
    private readonly fair: FairScheduler,
    private readonly logger: Logger,
    private readonly options: { prefix: string; intervalMs: number; staleAfterMs: number; pageSize?: number },
  ) {}

  start(): void {
    this.timer = setInterval(
      () => void this.sweepOnce().catch((err: Error) => this.logger.warn({ err }, 'job sweep failed')),
      this.options.intervalMs,
    );
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass; returns how many jobs were re-enqueued. */
  async sweepOnce(): Promise<number> {
    const lock = await this.redis.set(`${this.options.prefix}:jobs:sweeper`, String(process.pid), 'PX', this.options.intervalMs, 'NX');
    if (lock !== 'OK') return 0;
    const page = this.options.pageSize ?? 500;
    const stale: StaleJob[] = await this.dataSource.query(`SELECT * FROM stale_generation_jobs($1, $2, $3)`, [
      this.options.staleAfterMs,
      this.cursor,
      page,
    ]);
    this.cursor = stale.length < page ? new Date(0) : stale[stale.length - 1].updated_at;
    let requeued = 0;
    for (const job of stale) {
      const { queue, name } = queueForKind[job.kind];
      if (await this.queues.queue(queue).getJob(job.id)) continue;
      const priority = await this.fair.admit(job.workspace_id, job.id, job.priority);
      await this.queues.addGeneration(queue, name, { workspaceId: job.workspace_id, jobId: job.id }, priority);
      requeued += 1;
    }
    if (requeued) this.logger.warn({ requeued }, 're-enqueued jobs whose queue entry was missing');
    return requeued;
  }
}
