import type { LookupFunction } from 'node:net';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { request, type Dispatcher } from 'undici';
import { AppConfig } from '../config/config';
import { LOGGER } from '../common/logging/logger.module';
import { retryThroughOutage } from '../common/resilience/outage-retry';
import { TenantDb } from '../database/tenant-db';
import { JobHandler } from '../jobs/job-handler';
import { WebhookDeliveryEntity, DeliveryStatus } from './webhook-delivery.entity';
import { WebhookEndpointEntity } from './webhook-endpoint.entity';
import { WebhookSecrets } from './webhook-secrets';
import { SIGNATURE_HEADER, signatureHeader } from './webhook-signature';
import { JobName, type WebhookDeliveryPayload } from '../jobs/job-names';
import { createWebhookDispatcher, deliveryProblem } from './webhook-target';

/**
 * deliver-webhook: POSTs one outbox row to its endpoint, signed. A non-2xx answer or a network
 * error throws, so BullMQ retries with exponential backoff (WEBHOOK_ATTEMPTS, WEBHOOK_BACKOFF_MS);
 * each attempt's outcome is recorded on the row, which the workspace can list.
 */
/** Tests aim a name at a local address with this; production uses the system resolver. */
export const WEBHOOK_LOOKUP = Symbol('WEBHOOK_LOOKUP');

@JobHandler(JobName.DELIVER_WEBHOOK)
@Injectable()
export class DeliverWebhookHandler implements JobHandler<WebhookDeliveryPayload> {
  /** Checks every address it connects to, after DNS (webhook-target.ts). */
  private readonly dispatcher: Dispatcher;
  private readonly timeoutMs: number;

  constructor(
    private readonly db: TenantDb,
    private readonly secrets: WebhookSecrets,
    private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(WEBHOOK_LOOKUP) lookup?: LookupFunction,
  ) {
    this.timeoutMs = config.values.WEBHOOK_TIMEOUT_MS;
    this.dispatcher = createWebhookDispatcher({
      allowPrivate: config.values.WEBHOOK_ALLOW_PRIVATE_TARGETS,
      connectTimeoutMs: this.timeoutMs,
      lookup,
    });
  }

  process(job: Job<WebhookDeliveryPayload>): Promise<void> {
    return this.handle(job);
  }

  /** Retries spent (or the job stalled too often): the row says FAILED, even through a database outage. */
  async failedForGood(job: Job<WebhookDeliveryPayload>): Promise<void> {
    const { workspaceId, deliveryId } = job.data;
    await retryThroughOutage(
      () =>
        this.db.with({ workspaceId }, (m) =>
          m.update(WebhookDeliveryEntity, { id: deliveryId, status: DeliveryStatus.PENDING }, { status: DeliveryStatus.FAILED }),
        ),
      { budgetMs: this.config.values.OUTAGE_BUDGET_MS },
    );
  }

  async handle(job: Job<WebhookDeliveryPayload>): Promise<void> {
    const { workspaceId, deliveryId } = job.data;
    const found = await this.db.with({ workspaceId }, async (db) => {
      const delivery = await db.findOne(WebhookDeliveryEntity, { where: { id: deliveryId } });
      if (!delivery || delivery.status !== DeliveryStatus.PENDING) return null;
      const endpoint = await db
        .createQueryBuilder(WebhookEndpointEntity, 'e')
        .addSelect('e.secretCiphertext')
        .where('e.id = :id', { id: delivery.endpointId })
        .getOne();
      return endpoint && !endpoint.disabledAt ? { delivery, endpoint } : null;
    });
    if (!found) return;
    const { delivery, endpoint } = found;
    const body = JSON.stringify(delivery.payload);
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    let statusCode: number | null = null;
    let problem: string | null = null;
    try {
      // undici's request follows no redirects: a 3xx is the endpoint's answer, not a hop inward.
      const response = await request(endpoint.url, {
        dispatcher: this.dispatcher,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Brandwright-Webhooks/1',
          'brandwright-event': delivery.event,
          'brandwright-delivery': delivery.id,
          [SIGNATURE_HEADER.toLowerCase()]: signatureHeader(this.secrets.decrypt(endpoint.secretCiphertext), body),
        },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      statusCode = response.statusCode;
      await response.body.dump().catch(() => undefined);
      if (statusCode < 200 || statusCode >= 300) problem = `the endpoint answered ${statusCode}`;
    } catch (error) {
      // The client sees only "refused: private address" or "connection failed"; the raw socket
      // text stays in our log, or the log would work as a port scanner.
      problem = deliveryProblem(error);
      this.logger.debug({ deliveryId, err: error }, 'webhook connection failed');
    }
    await this.db.with({ workspaceId }, (db) =>
      db.update(
        WebhookDeliveryEntity,
        { id: delivery.id, status: DeliveryStatus.PENDING },
        {
          attempts: () => 'attempts + 1',
          lastStatusCode: statusCode,
          lastError: problem,
          ...(problem === null
            ? { status: DeliveryStatus.DELIVERED, deliveredAt: new Date() }
            : final
              ? { status: DeliveryStatus.FAILED }
              : {}),
        },
      ),
    );
    if (problem !== null) {
      this.logger.info({ deliveryId, attempt: job.attemptsMade + 1, final, problem }, 'webhook delivery failed');
      throw new Error(`webhook delivery ${deliveryId} failed: ${problem}`);
    }
  }
}
