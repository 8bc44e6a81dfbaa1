import type { QueryRunner } from 'typeorm';

/**
 * `app.brand_ids`, set by TenantDb beside `app.workspace_id`: `*` for every brand of the
 * workspace, or a uuid[] literal (`{…}`) for an API key limited to those brands. Anything else,
 * including a transaction that never set it, means no brand at all: a forgotten setting hides
 * rows instead of showing them.
 */
export const BRAND_VISIBLE_FUNCTION = 'app_brand_visible';

/**
 * A RESTRICTIVE policy, so it narrows the workspace policies instead of widening them: a row of a
 * brand-owned table is visible and writable only when its brand is one the transaction may use.
 * The table owner (the migration user, current_user inside the SECURITY DEFINER functions the
 * sweeper and billing call) is exempt, as it is from the workspace policies.
 */
export async function enableBrandLimit(q: QueryRunner, table: string, brandColumn = 'brand_id'): Promise<void> {
  const check = `current_user = %L OR ${BRAND_VISIBLE_FUNCTION}(${brandColumn})`;
  await q.query(`DO $$ BEGIN
    EXECUTE format('CREATE POLICY brand_limit ON "${table}" AS RESTRICTIVE FOR ALL USING (${check}) WITH CHECK (${check})', current_user, current_user);
  END $$`);
}
