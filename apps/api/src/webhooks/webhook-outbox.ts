import type { EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import type { JobQueues } from '../jobs/job-queues';
import type { WebhookEvent } from './webhook-event';

/**
 * The transactional outbox of client webhooks. `record` writes one delivery row per subscribed
 * endpoint inside the transaction that makes the event true (a job's completion), so an event is
 * never sent for work that rolled back and never lost for work that committed. `dispatch` queues
 * the rows after commit; UNIQUE(endpoint_id, event_key) makes a re-run job record nothing new.
 */
export class WebhookOutbox {
  constructor(
    private readonly queues: JobQueues,
    private readonly logger: Logger,
  ) {}

  async record(
    db: EntityManager,
    workspaceId: string,
    event: WebhookEvent,
    eventKey: string,
    data: Record<string, unknown>,
  ): Promise<string[]> {
    const payload = { id: eventKey, type: event, createdAt: new Date().toISOString(), data };
    const rows: Array<{ id: string }> = await db.query(
      `INSERT INTO webhook_deliveries (workspace_id, endpoint_id, event, event_key, payload)
       SELECT $1, e.id, $2, $3, $4::jsonb FROM webhook_endpoints e
       WHERE e.workspace_id = $1 AND e.disabled_at IS NULL AND $2 = ANY(e.events)
       ON CONFLICT (endpoint_id, event_key) DO NOTHING RETURNING id`,
      [workspaceId, event, eventKey, JSON.stringify(payload)],
    );
    return rows.map((r) => r.id);
  }

  async dispatch(workspaceId: string, deliveryIds: string[]): Promise<void> {
    for (const deliveryId of deliveryIds) {
      await this.queues.addWebhookDelivery({ workspaceId, deliveryId }).catch((err: Error) => {
        this.logger.warn({ err, deliveryId }, 'could not queue a webhook delivery');
      });
    }
  }
}
