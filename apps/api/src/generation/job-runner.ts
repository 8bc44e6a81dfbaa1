import { DelayedError, type Job } from 'bullmq';
import type { EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { release, settle, type UsageEstimate } from '@brandwright/billing';
import type { TenantDb } from '../database/tenant-db';
import { requestContext } from '../common/tenant/request-context';
import { WebhookEvent } from '../webhooks/webhook-event';
import { retryThroughOutage } from '../common/resilience/outage-retry';
import type { WebhookOutbox } from '../webhooks/webhook-outbox';
import type { FairScheduler } from './fair-scheduler';
import type { GenerationEvents } from './generation-events';
import { FINAL_STATUSES, type GenerationJobEntity, GenerationJobEntity as JobRow, JobStatus } from './generation-job.entity';
import type { GenerationJobPayload } from '../jobs/job-names';
import { type JobFailure, jobFailureOf } from './job-failure';
import { inSpan, traceJob } from '../telemetry/job-tracing';

/** What a handler hands back: the results to store, once, with the job's completion. */
export interface JobResults {
  usage: UsageEstimate;
  modelId: string | null;
  isDemo: boolean;
  /** Inserts the results, inside the completion transaction (unique keys make a repeat a no-op). */
  write(db: EntityManager): Promise<void>;
  /** Extra fields of the job.completed webhook. */
  summary: Record<string, unknown>;
}

export interface JobContext {
  row: GenerationJobEntity;
  signal: AbortSignal;
  progress(fraction: number): void;
  token(variant: number, index: number, text: string): void;
}

export type GenerationHandler = (context: JobContext) => Promise<JobResults>;

/** The public view of a job, as webhooks carry it. */
export function jobJson(row: GenerationJobEntity) {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    brandId: row.brandId,
    campaignId: row.campaignId,
    attempts: row.attempts,
    isDemo: row.isDemo,
    modelId: row.modelId,
    errorCode: row.errorCode,
    errorMessage: row.errorMessage,
    createdAt: row.createdAt,
    finishedAt: row.finishedAt,
  };
}

export interface JobRunnerOptions {
  /** How long a workspace slot is held without renewal (a dead worker's slot frees after this). */
  leaseMs: number;
  /** How long PostgreSQL or Redis errors are retried before they count against the job (OUTAGE_BUDGET_MS). */
  outageBudgetMs?: number;
}

/**
 * The life of a generation job in a worker, around its handler:
 * 1. take a workspace slot (or go back to the queue for a moment: fairness cap);
 * 2. begin: lock the row; a finished job (a duplicate run after a crash) is left alone, a job
 *    cancelled while queued ends here; otherwise RUNNING;
 * 3. run the handler with a cancel signal, streaming progress and tokens;
 * 4. complete in ONE transaction: results, usage settled (one ledger row per meter), status,
 *    webhook outbox rows. A worker killed anywhere before that commit leaves nothing behind; the
 *    job runs again and writes once. Killed after it, the re-run finds SUCCEEDED and stops.
 */
export class JobRunner {
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly db: TenantDb,
    private readonly fair: FairScheduler,
    private readonly events: GenerationEvents,
    private readonly outbox: WebhookOutbox,
    private readonly logger: Logger,
    private readonly options: JobRunnerOptions,
  ) {}

  /** A cancel request reached this worker: aborts the job if it runs here. */
  cancel(jobId: string): void {
    this.running.get(jobId)?.abort();
  }

  get activeJobs(): number {
    return this.running.size;
  }

  run(job: Job<GenerationJobPayload>, token: string | undefined, handler: GenerationHandler): Promise<void> {
    const { workspaceId, jobId } = job.data;
    const context = {
      requestId: job.data.requestId ?? `job:${jobId}`,
      jobId,
      actor: { kind: 'user' as const, userId: 'system:worker', workspaceId, role: null },
    };
    return traceJob(job, () => requestContext.run(context, () => this.runInContext(job, token, handler)));
  }

  private async runInContext(job: Job<GenerationJobPayload>, token: string | undefined, handler: GenerationHandler): Promise<void> {
    const { workspaceId, jobId } = job.data;
    if (!(await this.fair.tryStart(workspaceId, jobId, this.options.leaseMs))) {
      // The workspace is at its concurrency cap: wait a moment, keeping its queue priority.
      await job.moveToDelayed(Date.now() + 200 + Math.floor(Math.random() * 300), token);
      throw new DelayedError();
    }
    const lease = setInterval(
      () => void this.fair.tryStart(workspaceId, jobId, this.options.leaseMs).catch(() => undefined),
      this.options.leaseMs / 3,
    );
    const abort = new AbortController();
    this.running.set(jobId, abort);
    try {
      const row = await this.begin(workspaceId, jobId);
      if (!row) {
        await this.releaseSlot(workspaceId, jobId);
        return;
      }
      try {
        // A handler that hit an outage runs again once the server is back, without spending an attempt.
        const results = await inSpan('generate', () =>
          this.durably(() =>
            handler({
              row,
              signal: abort.signal,
              progress: (fraction) => void this.publish(row, JobStatus.RUNNING, fraction),
              token: (variant, index, text) => void this.publish(row, JobStatus.RUNNING, null, { variant, index, text }),
            }),
          ),
        );
        await inSpan('settle', () => this.complete(workspaceId, jobId, results));
      } catch (error) {
        if (abort.signal.aborted)
          return await this.finishUnsuccessfully(workspaceId, jobId, JobStatus.CANCELLED, 'CANCELLED', 'The job was cancelled.');
        // Permanent errors (a wrong request, a broken model) are never retried; see job-failure.ts.
        const failure = jobFailureOf(error);
        const final = !failure.retry || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        this.logger.warn({ err: error, attempt: job.attemptsMade + 1, final, code: failure.code }, 'generation job failed');
        if (final) return await this.finishUnsuccessfully(workspaceId, jobId, JobStatus.FAILED, failure.code, failure.message);
        await this.requeued(workspaceId, jobId, failure);
        throw error; // BullMQ retries it after its backoff
      }
    } finally {
      clearInterval(lease);
      this.running.delete(jobId);
    }
  }

  private async begin(workspaceId: string, jobId: string): Promise<GenerationJobEntity | null> {
    const outcome = await this.tx(workspaceId, async (db) => {
      const row = await db.findOne(JobRow, { where: { id: jobId }, lock: { mode: 'pessimistic_write' } });
      if (!row || FINAL_STATUSES.includes(row.status)) return { row: null };
      if (row.cancelRequestedAt) return { row: null, cancelled: true };
      row.status = JobStatus.RUNNING;
      row.attempts += 1;
      row.startedAt ??= new Date();
      row.errorCode = null;
      row.errorMessage = null;
      return { row: await db.save(row) };
    });
    if (outcome.cancelled) await this.finishUnsuccessfully(workspaceId, jobId, JobStatus.CANCELLED, 'CANCELLED', 'The job was cancelled.');
    if (outcome.row) await this.publish(outcome.row, JobStatus.RUNNING, 0);
    return outcome.row;
  }

  private async complete(workspaceId: string, jobId: string, results: JobResults): Promise<void> {
    const done = await this.tx(workspaceId, async (db) => {
      const row = await db.findOne(JobRow, { where: { id: jobId }, lock: { mode: 'pessimistic_write' } });
      if (!row || FINAL_STATUSES.includes(row.status)) return null;
      await results.write(db);
      const settled = await settle(db, { jobId, actuals: results.usage });
      Object.assign(row, {
        status: JobStatus.SUCCEEDED,
        progress: 1,
        finishedAt: new Date(),
        modelId: results.modelId,
        isDemo: results.isDemo,
      });
      const saved = await db.save(row);
      const deliveries = await this.outbox.record(db, workspaceId, WebhookEvent.JOB_COMPLETED, `job.completed:${jobId}`, {
        job: jobJson(saved),
        ...results.summary,
      });
      for (const alert of settled.alerts) {
        deliveries.push(...(await this.outbox.record(db, workspaceId, WebhookEvent.BILLING_ALERT, `billing.alert:${alert.id}`, { alert })));
      }
      return { row: saved, deliveries };
    });
    // Webhooks first: fairness bookkeeping (Redis) failing must not skip the dispatch.
    if (done) {
      await this.publish(done.row, JobStatus.SUCCEEDED, 1);
      await this.outbox.dispatch(workspaceId, done.deliveries);
    }
    await this.releaseSlot(workspaceId, jobId);
  }

  /** BullMQ gave the job up without the runner deciding (stalled too often): FAILED, WORKER_LOST. */
  lost({ workspaceId, jobId }: GenerationJobPayload, error: Error): Promise<void> {
    return this.finishUnsuccessfully(workspaceId, jobId, JobStatus.FAILED, 'WORKER_LOST', error.message);
  }

  /** FAILED or CANCELLED for good: credits released, error recorded, job.failed sent. Idempotent. */
  async finishUnsuccessfully(
    workspaceId: string,
    jobId: string,
    status: JobStatus.FAILED | JobStatus.CANCELLED,
    code: string,
    message: string,
  ): Promise<void> {
    const done = await this.tx(workspaceId, async (db) => {
      const row = await db.findOne(JobRow, { where: { id: jobId }, lock: { mode: 'pessimistic_write' } });
      if (!row || FINAL_STATUSES.includes(row.status)) return null;
      await release(db, { jobId });
      Object.assign(row, { status, errorCode: code, errorMessage: message.slice(0, 2000), finishedAt: new Date() });
      const saved = await db.save(row);
      const deliveries = await this.outbox.record(db, workspaceId, WebhookEvent.JOB_FAILED, `job.failed:${jobId}`, { job: jobJson(saved) });
      return { row: saved, deliveries };
    });
    if (done) {
      await this.publish(done.row, status, done.row.progress);
      await this.outbox.dispatch(workspaceId, done.deliveries);
    }
    await this.releaseSlot(workspaceId, jobId);
  }

  /** One tenant transaction, retried through a database outage (it rolled back, so it can run again). */
  private tx<T>(workspaceId: string, work: (db: EntityManager) => Promise<T>): Promise<T> {
    return this.durably(() => this.db.with({ workspaceId }, work));
  }

  private durably<T>(operation: () => Promise<T>): Promise<T> {
    return retryThroughOutage(operation, {
      budgetMs: this.options.outageBudgetMs ?? 600_000,
      onRetry: (err, attempt, delayMs) => this.logger.warn({ err, attempt, delayMs }, 'infrastructure unavailable; retrying'),
    });
  }

  /** Frees the workspace slot; if Redis is down its lease lapses on its own (leaseMs). */
  private async releaseSlot(workspaceId: string, jobId: string): Promise<void> {
    await this.fair.finish(workspaceId, jobId).catch((err: Error) => this.logger.warn({ err, jobId }, 'could not free the workspace slot'));
  }

  private async requeued(workspaceId: string, jobId: string, failure: JobFailure): Promise<void> {
    await this.fair.pause(workspaceId, jobId);
    await this.tx(workspaceId, (db) =>
      db.update(
        JobRow,
        { id: jobId, status: JobStatus.RUNNING },
        { status: JobStatus.QUEUED, errorCode: failure.code, errorMessage: failure.message.slice(0, 2000) },
      ),
    );
  }

  private publish(
    row: GenerationJobEntity,
    status: JobStatus,
    progress: number | null,
    token?: { variant: number; index: number; text: string },
  ): Promise<unknown> {
    if (progress !== null) row.progress = progress;
    return this.events
      .publish({
        jobId: row.id,
        status,
        progress: row.progress,
        token: token ?? null,
        errorCode: row.errorCode,
        errorMessage: row.errorMessage,
      })
      .catch((err: Error) => this.logger.warn({ err }, 'could not publish a job update'));
  }
}
