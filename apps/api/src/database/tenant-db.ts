import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { requestContext } from '../common/tenant/request-context';
import type { Actor } from '../common/auth/actor';
import { UnauthenticatedError } from '../common/errors/app-error';
import { brandLimitOf } from '../common/tenant/brand-limit';

/** Session settings the row-level security policies read (see migrations/lib/tenancy.ts). */
export interface TenantSettings {
  workspaceId?: string | null;
  userId?: string | null;
  apiKeyPrefix?: string;
  invitationTokenHash?: string;
  /**
   * The brands this transaction may see (`app.brand_ids`): null for every brand of the workspace,
   * or a key's allow-list. Left out, it is the current request's actor's limit (so code inside a
   * request cannot forget it); with no actor (workers, system tasks), every brand.
   */
  brandIds?: readonly string[] | null;
}

/**
 * Every read and write of tenant data goes through here: one transaction whose first statement
 * sets `app.workspace_id` and `app.brand_ids` (transaction-local), so PostgreSQL filters every row
 * even if a query forgets its WHERE clause, and a brand-limited API key sees only its brands.
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
    return this.with({ workspaceId, userId, brandIds: brandLimitOf(ctx.actor) }, work);
  }

  /** Runs `work` as `actor` outside a request context (subscriptions): its workspace and brands. */
  asActor<T>(actor: Actor, work: (db: EntityManager) => Promise<T>): Promise<T> {
    if (!actor.workspaceId) throw new UnauthenticatedError('Choose a workspace first.');
    return this.with({ workspaceId: actor.workspaceId, brandIds: brandLimitOf(actor) }, work);
  }

  /** Runs `work` in a transaction with explicit settings (auth flows, workers, system tasks). */
  async with<T>(settings: TenantSettings, work: (db: EntityManager) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      // BEGIN and the settings in one round trip (a multi-statement simple query), then tell
      // TypeORM its transaction is open so that save() and friends don't open another.
      await runner.query(`START TRANSACTION; ${settingsStatement(withBrandLimit(settings))}`);
      Object.assign(runner, { isTransactionActive: true, transactionDepth: 1 });
      try {
        const result = await work(runner.manager);
        await runner.commitTransaction();
        return result;
      } catch (err) {
        if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        throw err;
      }
    } finally {
      await runner.release();
    }
  }

  /**
   * One read in one round trip, for the hot path of every request (a member's role): the settings
   * and the query go in one simple-protocol message, which PostgreSQL runs as one transaction.
   * Values are inlined, so callers pass only ids they have validated as UUIDs.
   */
  async readOnce<Row>(settings: TenantSettings, sql: string): Promise<Row[]> {
    // TypeORM's query() drops multi-statement results, so this goes to its pg pool directly.
    const pool = (this.dataSource.driver as unknown as { master: { query(sql: string): Promise<Array<{ rows: Row[] }>> } }).master;
    const results = await pool.query(`${settingsStatement(withBrandLimit(settings))}; ${sql}`);
    return results[results.length - 1].rows;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TOKEN = /^[a-z0-9]{1,128}$/;

/** Settings with the brand limit filled in from the request's actor when the caller left it out. */
function withBrandLimit(settings: TenantSettings): TenantSettings {
  if (settings.brandIds !== undefined) return settings;
  return { ...settings, brandIds: brandLimitOf(requestContext.current()?.actor) };
}

/**
 * `app.brand_ids`: `*` for every brand, else a uuid[] literal. The policies read anything other
 * than these two shapes (unset, empty) as "no brand", and so does an empty allow-list.
 */
function brandIdsValue(brandIds: readonly string[] | null | undefined): string {
  if (brandIds == null) return "'*'";
  for (const id of brandIds) if (!UUID.test(id)) throw new Error('refusing an ill-formed brand id in the tenant settings');
  return `'{${brandIds.join(',')}}'`;
}

/** `SELECT set_config(…)` for the settings, with each value checked against its strict shape. */
function settingsStatement(settings: TenantSettings): string {
  const value = (v: string | null | undefined, shape: RegExp, name: string) => {
    if (v == null || v === '') return "''";
    if (!shape.test(v)) throw new Error(`refusing an ill-formed ${name} in the tenant settings`);
    return `'${v}'`;
  };
  return `SELECT set_config('app.workspace_id', ${value(settings.workspaceId, UUID, 'workspace id')}, true), set_config('app.user_id', ${value(settings.userId, UUID, 'user id')}, true), set_config('app.api_key_prefix', ${value(settings.apiKeyPrefix, TOKEN, 'API key prefix')}, true), set_config('app.invitation_token_hash', ${value(settings.invitationTokenHash, TOKEN, 'token hash')}, true), set_config('app.brand_ids', ${brandIdsValue(settings.brandIds)}, true)`;
}
