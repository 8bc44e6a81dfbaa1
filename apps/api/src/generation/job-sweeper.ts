import type { DataSource } from 'typeorm';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { TenantDb } from '../database/tenant-db';
import type { FairScheduler } from './fair-scheduler';
import type { JobQueues } from '../jobs/job-queues';
import { GenerationJobEntity, type JobKind, FINAL_STATUSES } from './generation-job.entity';
import { queueForKind } from './job-kind-queues';

interface StaleJob {
  id: string;
  workspace_id: string;
  kind: JobKind;
  status: string;
  priority: number;
  updated_at: Date;
}

export interface JobSweeperOptions {
  prefix: string;
  intervalMs: number;
  staleAfterMs: number;
  pageSize?: number;
  /** Runs a job may have (JOB_ATTEMPTS); a row whose queue entry ended after that many is finalised. */
  maxAttempts: number;
  /** Records a job as FAILED for good (releases its credits, sends job.failed). */
  finalise(workspaceId: string, jobId: string, code: string, message: string): Promise<void>;
  /** Says why a job waits, when no worker can serve its queue (see WorkerRegistry). */
  waitingReason?(kind: JobKind): Promise<string | null>;
}

export interface SweepResult {
  requeued: number;
  finalised: number;
  released: number;
}

/**
 * Keeps rows and queue entries from diverging. Every JOB_SWEEP_INTERVAL_MS one worker (a Redis
 * lock) pages through jobs QUEUED or RUNNING for longer than JOB_SWEEP_AFTER_MS — across
 * workspaces, through the SECURITY DEFINER function stale_generation_jobs — and reconciles each
 * with what BullMQ actually holds:
 * - no entry (the api died before enqueueing, Redis lost its data): enqueued again;
 * - an entry that failed or completed while the row is unfinished (every attempt was spent in an
 *   outage and recording the failure failed too): the entry is removed and the job enqueued again,
 *   or, when the row has used all its runs, finalised as FAILED;
 * - a waiting, delayed or active entry: left to BullMQ (its stalled check covers dead workers).
 * Then the reservations of jobs that ended without releasing them are released. Adding an existing
 * job id is a no-op in BullMQ and the runner ignores finished rows, so a sweep never duplicates.
 */
export class JobSweeper {
  private timer: NodeJS.Timeout | null = null;
  private cursor = new Date(0);

  constructor(
    private readonly dataSource: DataSource,
    private readonly db: TenantDb,
    private readonly redis: Redis,
    private readonly queues: JobQueues,
    private readonly fair: FairScheduler,
    private readonly logger: Logger,
    private readonly options: JobSweeperOptions,
  ) {}

  start(): void {
    this.timer = setInterval(
      () => void this.sweepOnce().catch((err: Error) => this.logger.warn({ err }, 'job sweep failed; trying again next interval')),
      this.options.intervalMs,
    );
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass (or nothing, when another worker holds the sweep lock). */
  async sweepOnce(): Promise<SweepResult> {
    const result: SweepResult = { requeued: 0, finalised: 0, released: 0 };
    const lock = await this.redis.set(`${this.options.prefix}:jobs:sweeper`, String(process.pid), 'PX', this.options.intervalMs, 'NX');
    if (lock !== 'OK') return result;
    const page = this.options.pageSize ?? 500;
    const stale: StaleJob[] = await this.dataSource.query(`SELECT * FROM stale_generation_jobs($1, $2, $3)`, [
      this.options.staleAfterMs,
      this.cursor,
      page,
    ]);
    this.cursor = stale.length < page ? new Date(0) : stale[stale.length - 1].updated_at;
    for (const job of stale) {
      const outcome = await this.reconcile(job);
      if (outcome === 'requeued') result.requeued += 1;
      if (outcome === 'finalised') result.finalised += 1;
    }
    const released: Array<{ job_id: string; credits: string }> = await this.dataSource.query(
      `SELECT * FROM release_final_job_reservations($1)`,
      [page],
    );
    result.released = released.length;
    if (result.requeued || result.finalised || result.released) this.logger.warn({ ...result }, 'job sweep reconciled rows with the queue');
    return result;
  }

  private async reconcile(job: StaleJob): Promise<'requeued' | 'finalised' | 'left'> {
    const { queue, name } = queueForKind[job.kind];
    const entry = await this.queues.queue(queue).getJob(job.id);
    if (entry) {
      const state = await entry.getState();
      if (state !== 'failed' && state !== 'completed') {
        await this.explainWait(job, state);
        return 'left';
      }
      // The queue is done with it but the row is not: the outcome was never recorded.
      const row = await this.db.with({ workspaceId: job.workspace_id }, (db) => db.findOne(GenerationJobEntity, { where: { id: job.id } }));
      if (!row || FINAL_STATUSES.includes(row.status)) return 'left';
      if (row.attempts >= this.options.maxAttempts) {
        await this.options.finalise(
          job.workspace_id,
          job.id,
          row.errorCode ?? 'WORKER_LOST',
          row.errorMessage ?? entry.failedReason ?? 'The job ended in the queue without a result.',
        );
        await entry.remove();
        return 'finalised';
      }
      await entry.remove();
    }
    const priority = await this.fair.admit(job.workspace_id, job.id, job.priority);
    await this.queues.addGeneration(queue, name, { workspaceId: job.workspace_id, jobId: job.id }, priority);
    return 'requeued';
  }

  /** A job that waits because no worker can run it says so (errorMessage `waiting: …`). */
  private async explainWait(job: StaleJob, state: string): Promise<void> {
    if (job.status !== 'QUEUED' || !this.options.waitingReason || !['waiting', 'prioritized', 'delayed'].includes(state)) return;
    const reason = await this.options.waitingReason(job.kind);
    await this.db.with({ workspaceId: job.workspace_id }, (db) =>
      db
        .createQueryBuilder()
        .update(GenerationJobEntity)
        .set({ errorMessage: reason, updatedAt: () => 'updated_at' })
        .where(`id = :id AND status = 'QUEUED' AND (error_message IS NULL OR error_message LIKE 'waiting:%')`, { id: job.id })
        .andWhere('error_message IS DISTINCT FROM CAST(:reason AS text)', { reason })
        .execute(),
    );
  }
}
