import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from './lib/tenancy';

/**
 * What recovery after an outage needs across workspaces (docs/operations.md), each through a
 * SECURITY DEFINER function owned by the migration user, as the sweeper's stale_generation_jobs:
 * - the webhook relay claims PENDING deliveries (FOR UPDATE SKIP LOCKED, with a per-row backoff
 *   in `relay_after`) and checks that each has a queue entry; the outbox drains from PostgreSQL
 *   whatever happened to Redis;
 * - the sweeper releases the credit reservations of jobs that ended without releasing them;
 * - the asset sweep asks which stored files are still referenced (or belong to an unfinished job).
 * Policies let only the owner (current_user inside the functions) read or write across
 * workspaces; the app role calls the functions and never sees other workspaces' rows itself.
 */
export class OutageRecovery1796168431590 implements MigrationInterface {
  name = 'OutageRecovery1796168431590';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_deliveries
      ADD COLUMN relay_after timestamptz NOT NULL DEFAULT now(),
      ADD COLUMN relay_checks integer NOT NULL DEFAULT 0`);
    await q.query(`CREATE INDEX ix_webhook_deliveries_relay ON webhook_deliveries (relay_after) WHERE status = 'PENDING'`);
    await q.query(`DO $$ BEGIN
      EXECUTE format('CREATE POLICY relay_system ON webhook_deliveries FOR ALL USING (current_user = %L) WITH CHECK (current_user = %L)', current_user, current_user);
      EXECUTE format('CREATE POLICY sweeper_system ON credit_reservations FOR ALL USING (current_user = %L) WITH CHECK (current_user = %L)', current_user, current_user);
      EXECUTE format('CREATE POLICY asset_sweep_read ON assets FOR SELECT USING (current_user = %L)', current_user);
    END $$`);

    // Claims up to max_rows PENDING deliveries untouched for grace_ms and due for a check; each
    // claimed row's next check moves out exponentially (base_ms · 2^checks, at most max_ms).
    await q.query(`CREATE FUNCTION claim_webhook_relay(grace_ms integer, max_rows integer, base_ms integer, max_ms integer)
      RETURNS TABLE (id uuid, workspace_id uuid, relay_checks integer)
      LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
        WITH due AS (
          SELECT d.id FROM webhook_deliveries d
           WHERE d.status = 'PENDING' AND d.relay_after <= now()
             AND d.updated_at < now() - make_interval(secs => grace_ms / 1000.0)
           ORDER BY d.relay_after LIMIT max_rows
           FOR UPDATE SKIP LOCKED
        )
        UPDATE webhook_deliveries d
           SET relay_checks = d.relay_checks + 1,
               relay_after = now() + make_interval(secs => least(max_ms::float8, base_ms * power(2, least(d.relay_checks, 20))) / 1000.0)
          FROM due WHERE d.id = due.id
        RETURNING d.id, d.workspace_id, d.relay_checks
      $$`);

    // Reservations still OPEN for a job that is FAILED or CANCELLED (its release was lost).
    await q.query(`CREATE FUNCTION release_final_job_reservations(max_rows integer)
      RETURNS TABLE (job_id uuid, workspace_id uuid, credits bigint)
      LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
        WITH open AS (
          SELECT r.id FROM credit_reservations r JOIN generation_jobs j ON j.id = r.job_id
           WHERE r.status = 'OPEN' AND j.status IN ('FAILED', 'CANCELLED')
           LIMIT max_rows FOR UPDATE OF r SKIP LOCKED
        )
        UPDATE credit_reservations r SET status = 'RELEASED', closed_at = now()
          FROM open WHERE r.id = open.id
        RETURNING r.job_id, r.workspace_id, r.credits
      $$`);

    // Of these storage keys (<workspaceId>/<jobId>/…), those an asset row names or whose job is unfinished.
    await q.query(`CREATE FUNCTION asset_files_in_use(keys text[])
      RETURNS SETOF text
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
        SELECT k FROM unnest(keys) AS k
         WHERE EXISTS (SELECT 1 FROM assets a WHERE a.storage_key = k)
            OR EXISTS (SELECT 1 FROM generation_jobs j WHERE j.id::text = split_part(k, '/', 2) AND j.status IN ('QUEUED', 'RUNNING'))
      $$`);

    for (const fn of [
      'claim_webhook_relay(integer, integer, integer, integer)',
      'release_final_job_reservations(integer)',
      'asset_files_in_use(text[])',
    ]) {
      await q.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await q.query(`GRANT EXECUTE ON FUNCTION ${fn} TO ${APP_ROLE}`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS asset_files_in_use(text[])`);
    await q.query(`DROP FUNCTION IF EXISTS release_final_job_reservations(integer)`);
    await q.query(`DROP FUNCTION IF EXISTS claim_webhook_relay(integer, integer, integer, integer)`);
    await q.query(`DROP POLICY IF EXISTS asset_sweep_read ON assets`);
    await q.query(`DROP POLICY IF EXISTS sweeper_system ON credit_reservations`);
    await q.query(`DROP POLICY IF EXISTS relay_system ON webhook_deliveries`);
    await q.query(`DROP INDEX IF EXISTS ix_webhook_deliveries_relay`);
    await q.query(`ALTER TABLE webhook_deliveries DROP COLUMN relay_checks, DROP COLUMN relay_after`);
  }
}
