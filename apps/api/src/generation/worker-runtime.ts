import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import Redis from 'ioredis';
import type { Logger } from 'pino';
import { AppConfig } from '../config/config';
import { LOGGER } from '../common/logging/logger.module';
import { REDIS } from '../common/redis/redis.module';
import { TenantDb } from '../database/tenant-db';
import { ASSET_STORAGE, type AssetStorage } from '../assets/asset-storage';
import { DeliverWebhookHandler } from '../webhooks/deliver-webhook.handler';
import { WebhookOutbox } from '../webhooks/webhook-outbox';
import { WebhookSecrets } from '../webhooks/webhook-secrets';
import { WebhookDeliveryEntity, DeliveryStatus } from '../webhooks/webhook-delivery.entity';
import { FairScheduler } from './fair-scheduler';
import { GenerationEvents } from './generation-events';
import { cancelChannel } from './generation-update';
import { GenerateAdImagesHandler } from './generate-ad-images.handler';
import { GenerateCopyHandler } from './generate-copy.handler';
import { InferenceEngines, ensureDemoTextModel } from './inference-engines';
import { JobQueues } from './job-queues';
import { JobRunner } from './job-runner';
import { JobSweeper } from './job-sweeper';
import { JobStatus } from './generation-job.entity';
import { type GenerationJobPayload, JobName, QueueName, type WebhookDeliveryPayload, parseWorkerQueues } from './queues';
import { type JobHandler, QueueWorkers } from './queue-workers';
import { Meter } from '@brandwright/billing';
import { Metrics } from '../metrics/metrics.service';
import type { JobResults } from './job-runner';

/**
 * The worker process's moving parts, started after the app context is up and stopped (jobs
 * allowed to finish) before the database and Redis connections close.
 */
@Injectable()
export class WorkerRuntime implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly engines: InferenceEngines;
  private readonly runner: JobRunner;
  private readonly workers: QueueWorkers;
  private readonly sweeper: JobSweeper;
  private readonly cancelSubscriber: Redis;
  readonly queues: QueueName[];

  constructor(
    config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(REDIS) redis: Redis,
    db: TenantDb,
    fair: FairScheduler,
    events: GenerationEvents,
    outbox: WebhookOutbox,
    secrets: WebhookSecrets,
    jobQueues: JobQueues,
    @Inject(ASSET_STORAGE) storage: AssetStorage,
    metrics: Metrics,
  ) {
    const v = config.values;
    this.queues = parseWorkerQueues(v.WORKER_QUEUES);
    this.engines = new InferenceEngines({
      modelDir: v.MODEL_DIR,
      textModelId: v.TEXT_MODEL_ID,
      executionProvider: v.EXECUTION_PROVIDER,
      threads: v.INFERENCE_THREADS,
      maxBatchSize: Math.max(4, v.TEXT_CONCURRENCY * 4),
      logger,
      onEngineStarted: (engine, provider) => metrics.executionProvider(provider, engine),
    });
    this.runner = new JobRunner(db, fair, events, outbox, logger, { leaseMs: v.JOB_LOCK_MS * 2 });
    const copy = new GenerateCopyHandler(db, this.engines);
    const images = new GenerateAdImagesHandler(db, this.engines, storage);
    const webhook = new DeliverWebhookHandler(db, secrets, v.WEBHOOK_TIMEOUT_MS, logger, v.WEBHOOK_ALLOW_PRIVATE_TARGETS);
    // Output volume for the metrics, read from the usage the job bills (one source of truth).
    const counted = (handle: Promise<JobResults>, started: number, kind: 'text' | 'image') =>
      handle.then((results) => {
        const seconds = (Date.now() - started) / 1000;
        const usage = results.usage as Partial<Record<Meter, number>>;
        if (kind === 'text') metrics.tokensGenerated(usage[Meter.TEXT_OUTPUT_TOKENS] ?? 0, seconds);
        else
          metrics.imagesGenerated(
            (usage[Meter.IMAGE_SMALL] ?? 0) + (usage[Meter.IMAGE_MEDIUM] ?? 0) + (usage[Meter.IMAGE_LARGE] ?? 0),
            seconds,
          );
        return results;
      });
    const bare: JobHandler[] = [
      {
        queue: QueueName.GENERATE_TEXT,
        name: JobName.GENERATE_COPY,
        process: (job, token) =>
          this.runner.run(job as Job<GenerationJobPayload>, token, (ctx) => counted(copy.handle(ctx), Date.now(), 'text')),
      },
      {
        queue: QueueName.GENERATE_IMAGE,
        name: JobName.GENERATE_AD_IMAGES,
        process: (job, token) =>
          this.runner.run(job as Job<GenerationJobPayload>, token, (ctx) => counted(images.handle(ctx), Date.now(), 'image')),
      },
      { queue: QueueName.WEBHOOKS, name: JobName.DELIVER_WEBHOOK, process: (job) => webhook.handle(job as Job<WebhookDeliveryPayload>) },
    ];
    const handlers: JobHandler[] = bare.map((handler) => ({
      ...handler,
      // Every job's duration and outcome, per queue.
      process: async (job, token) => {
        const started = Date.now();
        try {
          await handler.process(job, token);
          metrics.jobCompleted(handler.queue, (Date.now() - started) / 1000);
        } catch (err) {
          metrics.jobFailed(handler.queue, (Date.now() - started) / 1000);
          throw err;
        }
      },
    }));
    this.workers = new QueueWorkers(handlers, {
      redisUrl: v.REDIS_URL,
      prefix: v.REDIS_PREFIX,
      queues: this.queues,
      concurrency: {
        [QueueName.GENERATE_TEXT]: v.TEXT_CONCURRENCY,
        [QueueName.GENERATE_IMAGE]: v.IMAGE_CONCURRENCY,
        [QueueName.WEBHOOKS]: v.WEBHOOK_CONCURRENCY,
      },
      lockMs: v.JOB_LOCK_MS,
      stalledIntervalMs: v.JOB_STALLED_INTERVAL_MS,
      logger,
      onFailedForGood: async (queue, job, error) => {
        if (queue === QueueName.WEBHOOKS) {
          const { workspaceId, deliveryId } = job.data as WebhookDeliveryPayload;
          await db.with({ workspaceId }, (m) =>
            m.update(WebhookDeliveryEntity, { id: deliveryId, status: DeliveryStatus.PENDING }, { status: DeliveryStatus.FAILED }),
          );
          return;
        }
        const { workspaceId, jobId } = job.data as GenerationJobPayload;
        await this.runner.finishUnsuccessfully(workspaceId, jobId, JobStatus.FAILED, 'WORKER_LOST', error.message);
      },
    });
    this.sweeper = new JobSweeper(db.dataSource, redis, jobQueues, fair, logger, {
      prefix: v.REDIS_PREFIX,
      intervalMs: v.JOB_SWEEP_INTERVAL_MS,
      staleAfterMs: v.JOB_SWEEP_AFTER_MS,
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
    // Load the model before taking jobs, so the first job doesn't pay for it and a broken model
    // stops the worker at start rather than failing jobs.
    if (this.queues.includes(QueueName.GENERATE_TEXT)) await this.engines.textEngine();
    this.workers.start();
    this.sweeper.start();
    this.logger.info({ queues: this.queues }, 'worker ready');
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.logger.info({ signal, running: this.runner.activeJobs }, 'worker stopping: finishing running jobs');
    this.sweeper.stop();
    await this.workers.close();
    await this.cancelSubscriber.quit().catch(() => this.cancelSubscriber.disconnect());
    await this.engines.close();
    this.logger.info('worker stopped');
  }
}
