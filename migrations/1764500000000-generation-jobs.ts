import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE, enableTenantRls } from './lib/tenancy';

/**
 * Generation jobs and their results (copy variants, image assets), client webhook endpoints and
 * their deliveries. Every table is tenant-owned under FORCEd row-level security.
 *
 * The one cross-tenant read: the job sweeper must find QUEUED rows whose queue entry was lost
 * (the api committed the row, then died before enqueueing) in every workspace. The app role has
 * no BYPASSRLS, and a session setting that widens the policy could be set by any app query, so
 * instead a SECURITY DEFINER function owned by the migration user returns only ids and workspace
 * ids of stale jobs. A policy lets only that owner (current_user inside the function) read
 * across workspaces; the app role can call the function but never read other rows itself.
 */
export class GenerationJobs1764500000000 implements MigrationInterface {
  name = 'GenerationJobs1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE generation_jobs (
      id uuid PRIMARY KEY,
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('COPY', 'AD_IMAGES')),
      status text NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
      brand_id uuid NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
      campaign_id uuid REFERENCES campaigns(id) ON DELETE SET NULL,
      input jsonb NOT NULL,
      idempotency_key text,
      priority integer NOT NULL DEFAULT 0,
      progress real NOT NULL DEFAULT 0,
      attempts integer NOT NULL DEFAULT 0,
      error_code text,
      error_message text,
      model_id text,
      is_demo boolean NOT NULL DEFAULT false,
      cancel_requested_at timestamptz,
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz
    )`);
    await q.query(
      `CREATE UNIQUE INDEX ux_generation_jobs_idempotency ON generation_jobs (workspace_id, idempotency_key) WHERE idempotency_key IS NOT NULL`,
    );
    await q.query(`CREATE INDEX ix_generation_jobs_list ON generation_jobs (workspace_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX ix_generation_jobs_waiting ON generation_jobs (updated_at) WHERE status IN ('QUEUED', 'RUNNING')`);
    await enableTenantRls(q, 'generation_jobs');
    await q.query(`DO $$ BEGIN
      EXECUTE format('CREATE POLICY sweeper_read ON generation_jobs FOR SELECT USING (current_user = %L)', current_user);
    END $$`);
    // Pages by updated_at (`after`), so a long legitimate backlog can't hide a lost job behind it.
    await q.query(`CREATE FUNCTION stale_generation_jobs(stale_after_ms integer, after timestamptz, max_rows integer)
      RETURNS TABLE (id uuid, workspace_id uuid, kind text, status text, priority integer, updated_at timestamptz)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
        SELECT j.id, j.workspace_id, j.kind, j.status, j.priority, j.updated_at FROM generation_jobs j
        WHERE j.status IN ('QUEUED', 'RUNNING')
          AND j.updated_at < now() - make_interval(secs => stale_after_ms / 1000.0)
          AND j.updated_at > after
        ORDER BY j.updated_at LIMIT max_rows
      $$`);
    await q.query(`REVOKE ALL ON FUNCTION stale_generation_jobs(integer, timestamptz, integer) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION stale_generation_jobs(integer, timestamptz, integer) TO ${APP_ROLE}`);

    await q.query(`CREATE TABLE copy_variants (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      job_id uuid NOT NULL REFERENCES generation_jobs(id) ON DELETE CASCADE,
      brand_id uuid NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
      campaign_id uuid REFERENCES campaigns(id) ON DELETE SET NULL,
      channel text NOT NULL,
      rank integer NOT NULL,
      text text NOT NULL,
      seed bigint NOT NULL,
      voice_report jsonb NOT NULL,
      voice_score integer NOT NULL,
      status text NOT NULL DEFAULT 'DRAFT' CHECK (status IN ('DRAFT', 'APPROVED', 'REJECTED')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (job_id, rank)
    )`);
    await q.query(`CREATE INDEX ix_copy_variants_campaign ON copy_variants (campaign_id, created_at DESC)`);
    await enableTenantRls(q, 'copy_variants');

    await q.query(`CREATE TABLE assets (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      job_id uuid NOT NULL REFERENCES generation_jobs(id) ON DELETE CASCADE,
      brand_id uuid NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
      campaign_id uuid REFERENCES campaigns(id) ON DELETE SET NULL,
      variant integer NOT NULL,
      format text NOT NULL,
      file_kind text NOT NULL CHECK (file_kind IN ('PNG', 'WEBP', 'THUMBNAIL')),
      storage_key text NOT NULL,
      mime_type text NOT NULL,
      width integer NOT NULL,
      height integer NOT NULL,
      size_bytes integer NOT NULL,
      brand_check jsonb,
      provenance jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (job_id, variant, format, file_kind)
    )`);
    await q.query(`CREATE INDEX ix_assets_campaign ON assets (campaign_id, created_at DESC)`);
    await enableTenantRls(q, 'assets');

    await q.query(`CREATE TABLE webhook_endpoints (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      url text NOT NULL,
      events text[] NOT NULL,
      secret_ciphertext text NOT NULL,
      description text NOT NULL DEFAULT '',
      created_at timestamptz NOT NULL DEFAULT now(),
      disabled_at timestamptz
    )`);
    await enableTenantRls(q, 'webhook_endpoints');

    // The outbox: rows are written in the transaction that completes a job, then delivered.
    await q.query(`CREATE TABLE webhook_deliveries (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      endpoint_id uuid NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
      event text NOT NULL,
      event_key text NOT NULL,
      payload jsonb NOT NULL,
      status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
      attempts integer NOT NULL DEFAULT 0,
      last_status_code integer,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      delivered_at timestamptz,
      UNIQUE (endpoint_id, event_key)
    )`);
    await q.query(`CREATE INDEX ix_webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at DESC)`);
    await enableTenantRls(q, 'webhook_deliveries');
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['webhook_deliveries', 'webhook_endpoints', 'assets', 'copy_variants']) {
      await q.query(`DROP TABLE IF EXISTS "${table}" CASCADE`);
    }
    await q.query(`DROP FUNCTION IF EXISTS stale_generation_jobs(integer, timestamptz, integer)`);
    await q.query(`DROP TABLE IF EXISTS generation_jobs CASCADE`);
  }
}
