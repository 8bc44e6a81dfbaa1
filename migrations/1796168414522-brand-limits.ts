import type { MigrationInterface, QueryRunner } from 'typeorm';
import { BRAND_VISIBLE_FUNCTION, enableBrandLimit } from './lib/brand-limits';

/** Brand-owned tables and the column that names their brand. */
const BRAND_OWNED: Array<[table: string, column: string]> = [
  ['brands', 'id'],
  ['campaigns', 'brand_id'],
  ['generation_jobs', 'brand_id'],
  ['copy_variants', 'brand_id'],
  ['assets', 'brand_id'],
  ['webhook_deliveries', 'brand_id'],
];

/**
 * API keys limited to some brands, enforced by PostgreSQL rather than by each query: every
 * brand-owned table gets a RESTRICTIVE policy on `app.brand_ids` (see lib/brand-limits.ts), so a
 * query that forgets the limit still sees only the key's brands.
 *
 * Webhook deliveries name their brand through the job in their payload; a stored generated column
 * makes that a plain column the policy can read. Deliveries of workspace events (billing alerts)
 * have no brand and so are hidden from brand-limited transactions.
 */
export class BrandLimits1796168414522 implements MigrationInterface {
  name = 'BrandLimits1796168414522';

  async up(q: QueryRunner): Promise<void> {
    // One function, so the meaning of the setting is written once; plain SQL, so it is inlined.
    await q.query(`CREATE FUNCTION ${BRAND_VISIBLE_FUNCTION}(brand uuid) RETURNS boolean
      LANGUAGE sql STABLE PARALLEL SAFE AS $$
        SELECT CASE
          WHEN current_setting('app.brand_ids', true) = '*' THEN true
          WHEN current_setting('app.brand_ids', true) LIKE '{%}' THEN COALESCE(brand = ANY (current_setting('app.brand_ids', true)::uuid[]), false)
          ELSE false
        END
      $$`);
    await q.query(`ALTER TABLE webhook_deliveries
      ADD COLUMN brand_id uuid GENERATED ALWAYS AS ((payload #>> '{data,job,brandId}')::uuid) STORED`);
    await q.query(`CREATE INDEX ix_webhook_deliveries_brand ON webhook_deliveries (brand_id)`);
    for (const [table, column] of BRAND_OWNED) await enableBrandLimit(q, table, column);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [table] of BRAND_OWNED) await q.query(`DROP POLICY IF EXISTS brand_limit ON "${table}"`);
    await q.query(`ALTER TABLE webhook_deliveries DROP COLUMN IF EXISTS brand_id`);
    await q.query(`DROP FUNCTION IF EXISTS ${BRAND_VISIBLE_FUNCTION}(uuid)`);
  }
}
