import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { requestContext } from '../common/tenant/request-context';
import { UnauthenticatedError } from '../common/errors/app-error';

/** Session settings the row-level security policies read (see migrations/lib/tenancy.ts). */
export interface TenantSettings {
  workspaceId?: string | null;
  userId?: string | null;
  apiKeyPrefix?: string;
  invitationTokenHash?: string;
}

/**
 * Every read and write of tenant data goes through here: one transaction whose first statement
 * sets `app.workspace_id` (transaction-local), so PostgreSQL filters every row even if a query
 * forgets its WHERE clause.
 */
@Injectable()
export class TenantDb {
  constructor(readonly dataSource: DataSource) {}

  /** Runs `work` in a transaction scoped to the current request's workspace. */
  tx<T>(work: (db: EntityManager) => Promise<T>): Promise<T> {
    const ctx = requestContext.current();
    const workspaceId = ctx?.actor?.workspaceId;
    if (!workspaceId) throw new UnauthenticatedError('Choose a workspace first.');
    const userId = ctx.actor?.kind === 'user' ? ctx.actor.userId : null;
    return this.with({ workspaceId, userId }, work);
  }

  /** Runs `work` in a transaction with explicit settings (auth flows, workers, system tasks). */
  async with<T>(settings: TenantSettings, work: (db: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (db) => {
      await db.query(
        `SELECT set_config('app.workspace_id', $1, true), set_config('app.user_id', $2, true),
                set_config('app.api_key_prefix', $3, true), set_config('app.invitation_token_hash', $4, true)`,
        [settings.workspaceId ?? '', settings.userId ?? '', settings.apiKeyPrefix ?? '', settings.invitationTokenHash ?? ''],
      );
      return work(db);
    });
  }
}
