import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { SelectQueryBuilder } from 'typeorm';
import { TenantDb } from '../database/tenant-db';
import { LOGGER } from '../common/logging/logger.module';
import { paginate, type Connection } from '../common/pagination/pagination';
import { AuditEventEntity } from './audit-event.entity';
import type { AuditNote } from './audit-note';

/** A row to append; `workspaceId` null only for events outside any workspace. */
export type AuditRecord = Omit<AuditEventEntity, 'id' | 'createdAt'>;

export interface AuditFilter {
  operation?: string;
  entityType?: string;
  entityId?: string;
  actorUserId?: string;
  actorApiKeyId?: string;
  since?: Date;
  until?: Date;
}

/** Appends to and reads the audit log. Reads run in the caller's workspace (row-level security). */
@Injectable()
export class AuditService {
  constructor(
    private readonly db: TenantDb,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Appends one row in its own transaction, set to the row's workspace. A failure is logged, not
   * thrown: by now the operation has committed, and failing its answer would invite a retry that
   * repeats it.
   */
  async append(record: AuditRecord): Promise<void> {
    try {
      // No RETURNING: it would need the row to pass the SELECT policy, which a row outside any
      // workspace (a refused refresh) never does.
      await this.db.with({ workspaceId: record.workspaceId, userId: record.actorUserId, brandIds: null }, (db) =>
        db.createQueryBuilder().insert().into(AuditEventEntity).values(record).updateEntity(false).execute(),
      );
    } catch (err) {
      this.logger.error({ err, operation: record.operation, workspaceId: record.workspaceId }, 'audit event not recorded');
    }
  }

  /** An event the system caused (a Stripe webhook's billing change), not a member or key. */
  recordSystem(workspaceId: string, operation: string, what: AuditNote, requestId: string | null = null): Promise<void> {
    return this.append({
      workspaceId,
      actorKind: 'SYSTEM',
      actorUserId: null,
      actorApiKeyId: null,
      actorRole: null,
      operation,
      entityType: what.entityType ?? null,
      entityId: what.entityId ?? null,
      beforeHash: what.beforeHash ?? null,
      afterHash: what.afterHash ?? null,
      outcome: 'SUCCEEDED',
      errorCode: null,
      requestId,
    });
  }

  list(filter: AuditFilter, first: number | undefined, after: string | undefined): Promise<Connection<AuditEventEntity>> {
    return this.db.tx((db) => paginate(this.filtered(db.createQueryBuilder(AuditEventEntity, 'e'), filter), first, after));
  }

  /** Every matching row, newest first, up to `limit` (the export). */
  all(filter: AuditFilter, limit: number): Promise<AuditEventEntity[]> {
    return this.db.tx((db) =>
      this.filtered(db.createQueryBuilder(AuditEventEntity, 'e'), filter)
        .orderBy('e.created_at', 'DESC')
        .addOrderBy('e.id', 'DESC')
        .take(limit)
        .getMany(),
    );
  }

  private filtered(q: SelectQueryBuilder<AuditEventEntity>, f: AuditFilter): SelectQueryBuilder<AuditEventEntity> {
    if (f.operation) q.andWhere('e.operation = :operation', { operation: f.operation });
    if (f.entityType) q.andWhere('e.entity_type = :entityType', { entityType: f.entityType });
    if (f.entityId) q.andWhere('e.entity_id = :entityId', { entityId: f.entityId });
    if (f.actorUserId) q.andWhere('e.actor_user_id = :actorUserId', { actorUserId: f.actorUserId });
    if (f.actorApiKeyId) q.andWhere('e.actor_api_key_id = :actorApiKeyId', { actorApiKeyId: f.actorApiKeyId });
    if (f.since) q.andWhere('e.created_at >= :since', { since: f.since });
    if (f.until) q.andWhere('e.created_at < :until', { until: f.until });
    return q;
  }
}
