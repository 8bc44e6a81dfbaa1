import { Injectable } from '@nestjs/common';
import { TenantDb } from '../database/tenant-db';
import { BadUserInputError, NotFoundError } from '../common/errors/app-error';
import { AppConfig } from '../config/config';
import { WebhookTargetError, assertPublicTarget } from './webhook-target';
import { type Connection, paginate } from '../common/pagination/pagination';
import { WebhookEndpointEntity } from './webhook-endpoint.entity';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';
import { WebhookSecrets } from './webhook-secrets';
import type { WebhookEvent } from './webhook-event';

/** A workspace's webhook endpoints and the record of what was delivered to them. */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly db: TenantDb,
    private readonly secrets: WebhookSecrets,
    private readonly config: AppConfig,
  ) {}

  async create(workspaceId: string, input: { url: string; events: WebhookEvent[]; description?: string | null }) {
    try {
      await assertPublicTarget(input.url, { allowPrivate: this.config.values.WEBHOOK_ALLOW_PRIVATE_TARGETS, requireResolution: false });
    } catch (err) {
      if (err instanceof WebhookTargetError) throw new BadUserInputError('input.url', err.message);
      throw err;
    }
    const secret = WebhookSecrets.generate();
    return this.db.tx(async (db) => {
      const endpoint = await db.save(
        db.create(WebhookEndpointEntity, {
          workspaceId,
          url: input.url,
          events: [...new Set(input.events)],
          description: input.description ?? '',
          secretCiphertext: this.secrets.encrypt(secret),
        }),
      );
      return { endpoint, secret };
    });
  }

  list(): Promise<WebhookEndpointEntity[]> {
    return this.db.tx((db) => db.find(WebhookEndpointEntity, { order: { createdAt: 'DESC' } }));
  }

  remove(id: string): Promise<WebhookEndpointEntity> {
    return this.db.tx(async (db) => {
      const endpoint = await db.findOne(WebhookEndpointEntity, { where: { id } });
      if (!endpoint) throw new NotFoundError('Webhook endpoint', id);
      await db.delete(WebhookEndpointEntity, { id });
      return endpoint;
    });
  }

  deliveries(filter: { endpointId?: string }, first?: number, after?: string): Promise<Connection<WebhookDeliveryEntity>> {
    return this.db.tx((db) => {
      const query = db.createQueryBuilder(WebhookDeliveryEntity, 'delivery').where('true');
      if (filter.endpointId) query.andWhere('delivery.endpoint_id = :endpointId', { endpointId: filter.endpointId });
      return paginate(query, first, after);
    });
  }
}
