import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { TenantDb } from '../database/tenant-db';
import { WebhookDeliveryEntity, DeliveryStatus } from './webhook-delivery.entity';
import { WebhookEndpointEntity } from './webhook-endpoint.entity';
import type { WebhookSecrets } from './webhook-secrets';
import { SIGNATURE_HEADER, signatureHeader } from './webhook-signature';
import type { WebhookDeliveryPayload } from '../generation/queues';
import { assertPublicTarget } from './webhook-target';

/**
 * deliver-webhook: POSTs one outbox row to its endpoint, signed. A non-2xx answer or a network
 * error throws, so BullMQ retries with exponential backoff (WEBHOOK_ATTEMPTS, WEBHOOK_BACKOFF_MS);
 * each attempt's outcome is recorded on the row, which the workspace can list.
 */
export class DeliverWebhookHandler {
  constructor(
    private readonly db: TenantDb,
    private readonly secrets: WebhookSecrets,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
    private readonly allowPrivateTargets = false,
  ) {}

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
      await assertPublicTarget(endpoint.url, { allowPrivate: this.allowPrivateTargets, requireResolution: true });
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Brandwright-Webhooks/1',
          'brandwright-event': delivery.event,
          'brandwright-delivery': delivery.id,
          [SIGNATURE_HEADER.toLowerCase()]: signatureHeader(this.secrets.decrypt(endpoint.secretCiphertext), body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      statusCode = response.status;
      await response.body?.cancel().catch(() => undefined);
      if (!response.ok) problem = `the endpoint answered ${response.status}`;
    } catch (error) {
      problem = (error as Error).message;
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
