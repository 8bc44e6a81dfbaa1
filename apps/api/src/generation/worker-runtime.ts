import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import Redis from 'ioredis';
import type { Logger } from 'pino';
import { AppConfig } from '../config/config';
import { LOGGER } from '../common/logging/logger.module';
import { REDIS } from '../common/redis/redis.module';
import { TenantDb } from '../database/tenant-db';
import { ASSET_STORAGE, type AssetStorage } from '../assets/asset-storage';
import { AssetSweeper } from '../assets/asset-sweeper';
import { type ModelState, WorkerRegistry } from '../health/worker-registry';
import { JobQueues } from '../jobs/job-queues';
import { QueueName } from '../jobs/job-names';
import { JobWorker } from '../jobs/job-worker';
import { WebhookOutboxRelay } from '../webhooks/webhook-outbox-relay';
import { FairScheduler } from './fair-scheduler';
import { cancelChannel } from './generation-update';
import { InferenceEngines, ensureDemoTextModel } from './inference-engines';
import { queueForKind } from './job-kind-queues';
import { JobRunner } from './job-runner';
import { JobSweeper } from './job-sweeper';
import { Metrics } from '../metrics/metrics.service';
import { JobStatus } from './generation-job.entity';

/**
 * The worker process's moving parts, started after the app context is up and stopped (jobs
 * allowed to finish) before the database and Redis connections close. The queue consumers and
 * their handlers come from the job registry (jobs/); this starts them, the text model first.
 */
@Injectable()
export class WorkerRuntime implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly sweeper: JobSweeper;
  private readonly cancelSubscriber: Redis;
  private readonly relay: WebhookOutboxRelay;
  private readonly assetSweeper: AssetSweeper;
  private readonly registry: WorkerRegistry;
  /** The text model's state, reported in readiness (a worker whose model fails stays up and says so). */
  textModel: ModelState = 'loading';
  private modelRetry: NodeJS.Timeout | null = null;
  readonly queues: QueueName[];

  constructor(
    config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(REDIS) redis: Redis,
    db: TenantDb,
    fair: FairScheduler,
    jobQueues: JobQueues,
    @Inject(ASSET_STORAGE) storage: AssetStorage,
    private readonly engines: InferenceEngines,
    private readonly runner: JobRunner,
    private readonly workers: JobWorker,
    private readonly metrics: Metrics,
  ) {
    const v = config.values;
    this.queues = workers.queues;
    this.registry = new WorkerRegistry(redis, v.REDIS_PREFIX);
    this.sweeper = new JobSweeper(db.dataSource, db, redis, jobQueues, fair, logger, {
      prefix: v.REDIS_PREFIX,
      intervalMs: v.JOB_SWEEP_INTERVAL_MS,
      staleAfterMs: v.JOB_SWEEP_AFTER_MS,
      maxAttempts: v.JOB_ATTEMPTS,
      finalise: (workspaceId, jobId, code, message) =>
        this.runner.finishUnsuccessfully(workspaceId, jobId, JobStatus.FAILED, code, message),
      waitingReason: (kind) => this.registry.waitingReason(queueForKind[kind].queue),
    });
    this.assetSweeper = new AssetSweeper(db.dataSource, redis, storage, logger, {
      prefix: v.REDIS_PREFIX,
      intervalMs: v.ASSET_SWEEP_INTERVAL_MS,
      olderThanMs: v.ASSET_SWEEP_AFTER_MS,
    });
    this.relay = new WebhookOutboxRelay(db.dataSource, jobQueues, logger, {
      intervalMs: v.WEBHOOK_RELAY_INTERVAL_MS,
      graceMs: Math.max(1_000, v.WEBHOOK_RELAY_INTERVAL_MS * 2),
    });
    this.cancelSubscriber = new Redis(v.REDIS_URL, { maxRetriesPerRequest: null, lazyConnect: true });
    this.cancelChannel = cancelChannel(v.REDIS_PREFIX);
    if (this.queues.includes(QueueName.GENERATE_TEXT)) ensureDemoTextModel(v.MODEL_DIR, logger);
  }

  private readonly cancelChannel: string;

  async onApplicationBootstrap(): Promise<void> {
    await this.cancelSubscriber.connect();
    await this.cancelSubscriber.subscribe(this.cancelChannel);
    this.cancelSubscriber.on('message', (_channel: string, jobId: string) => this.runner.cancel(jobId));
    const text = this.queues.includes(QueueName.GENERATE_TEXT);
    this.registry.start(() => ({ queues: this.queues, ...(text ? { textModel: this.textModel } : {}) }), this.logger);
    this.metrics.setReadiness(() => ({
      ready: !text || this.textModel === 'ready',
      queues: this.queues,
      ...(text ? { textModel: this.textModel } : {}),
    }));
    // The text queue is consumed once its model has loaded, so the first job doesn't pay for it.
    // A model that fails to load doesn't stop the worker: its other queues, the sweeper and the
    // relay keep running, readiness says `failed: …`, waiting jobs say why, and loading is retried.
    this.workers.start(this.queues.filter((q) => q !== QueueName.GENERATE_TEXT));
    if (text) await this.loadTextModel();
    this.sweeper.start();
    this.relay.start();
    this.assetSweeper.start();
    this.logger.info({ queues: this.queues, textModel: text ? this.textModel : undefined }, 'worker ready');
  }

  private async loadTextModel(): Promise<void> {
    try {
      await this.engines.textEngine();
      this.textModel = 'ready';
      this.metrics.modelState('text', true);
      this.workers.start([QueueName.GENERATE_TEXT]);
      await this.registry.beat();
    } catch (err) {
      this.textModel = `failed: ${(err as Error).message.slice(0, 300)}`;
      this.metrics.modelState('text', false);
      await this.registry.beat();
      this.logger.error({ err }, 'the text model could not be loaded; generate-text is not consumed until it loads (retrying in 30 s)');
      this.modelRetry = setTimeout(() => void this.loadTextModel(), 30_000);
      this.modelRetry.unref();
    }
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.logger.info({ signal, running: this.runner.activeJobs }, 'worker stopping: finishing running jobs');
    this.sweeper.stop();
    this.assetSweeper.stop();
    if (this.modelRetry) clearTimeout(this.modelRetry);
    await this.relay.stop();
    await this.registry.stop();
    await this.workers.close();
    await this.cancelSubscriber.quit().catch(() => this.cancelSubscriber.disconnect());
    await this.engines.close();
    this.logger.info('worker stopped');
  }
}
