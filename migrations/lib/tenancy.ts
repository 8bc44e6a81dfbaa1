import type { QueryRunner } from 'typeorm';

/** The role the api and worker run as (SET ROLE at connect). It owns no table. */
export const APP_ROLE = 'brandwright_app';

/** The workspace of the current transaction, or NULL when none is set. */
export const CURRENT_WORKSPACE = "NULLIF(current_setting('app.workspace_id', true), '')::uuid";
/** The signed-in user of the current transaction, for the few cross-workspace reads a user makes. */
export const CURRENT_USER = "NULLIF(current_setting('app.user_id', true), '')::uuid";

/**
 * Row-level security for a tenant-owned table: ENABLE + FORCE (so even the owner is filtered), and
 * a policy that only shows and only accepts rows of the transaction's workspace. `extraRead` adds
 * a narrow second way in (e.g. an API key looked up by its prefix before its workspace is known).
 */
export async function enableTenantRls(queryRunner: QueryRunner, table: string, extraRead?: string): Promise<void> {
  const read = extraRead ? `workspace_id = ${CURRENT_WORKSPACE} OR ${extraRead}` : `workspace_id = ${CURRENT_WORKSPACE}`;
  await queryRunner.query(`ALTER TABLE "${table}" ENABLE ROW LEVEL SECURITY`);
  await queryRunner.query(`ALTER TABLE "${table}" FORCE ROW LEVEL SECURITY`);
  await queryRunner.query(`CREATE POLICY tenant_read ON "${table}" FOR SELECT USING (${read})`);
  await queryRunner.query(
    `CREATE POLICY tenant_write ON "${table}" FOR ALL USING (workspace_id = ${CURRENT_WORKSPACE}) WITH CHECK (workspace_id = ${CURRENT_WORKSPACE})`,
  );
  await queryRunner.query(`CREATE INDEX "ix_${table}_workspace" ON "${table}" (workspace_id)`);
}
