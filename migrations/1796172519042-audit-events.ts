import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE, CURRENT_WORKSPACE } from './lib/tenancy';

/**
 * The audit log: one row per mutation, approval, export, key use and billing change (see
 * docs/audit.md). Append-only for the application in two independent layers: the app role holds
 * no UPDATE, DELETE or TRUNCATE privilege, and a trigger refuses UPDATE and DELETE from anyone but
 * the table owner (migrations; a workspace's deletion cascading). Rows store ids and hashes, never
 * arguments or results, so no secret lands here.
 *
 * `workspace_id` is NULL only for events that happen before anyone is in a workspace (a failed
 * sign-in, a sign-out without a session): the app may insert those, and nobody reads them through
 * the api; the workspace policy hides them.
 */
export class AuditEvents1796172519042 implements MigrationInterface {
  name = 'AuditEvents1796172519042';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE audit_events (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid REFERENCES workspaces(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      actor_kind text NOT NULL CHECK (actor_kind IN ('MEMBER', 'API_KEY', 'SYSTEM', 'ANONYMOUS')),
      actor_user_id uuid,
      actor_api_key_id uuid,
      actor_role text,
      operation text NOT NULL CHECK (char_length(operation) BETWEEN 1 AND 200),
      entity_type text,
      entity_id text,
      before_hash text CHECK (before_hash ~ '^[0-9a-f]{64}$'),
      after_hash text CHECK (after_hash ~ '^[0-9a-f]{64}$'),
      outcome text NOT NULL CHECK (outcome IN ('SUCCEEDED', 'FAILED')),
      error_code text,
      request_id text,
      CHECK ((actor_kind = 'API_KEY') = (actor_api_key_id IS NOT NULL))
    )`);
    await q.query(`ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE audit_events FORCE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY tenant_read ON audit_events FOR SELECT USING (workspace_id = ${CURRENT_WORKSPACE})`);
    // Insert only: no UPDATE or DELETE policy exists, so even with a privilege no row would match.
    await q.query(`CREATE POLICY tenant_insert ON audit_events FOR INSERT
      WITH CHECK (workspace_id = ${CURRENT_WORKSPACE} OR workspace_id IS NULL)`);
    await q.query(`CREATE INDEX ix_audit_events_workspace ON audit_events (workspace_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX ix_audit_events_entity ON audit_events (workspace_id, entity_type, entity_id)`);

    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM ${APP_ROLE}`);
    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM PUBLIC`);
    await q.query(`DO $$ BEGIN
      EXECUTE format($f$CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $body$
        BEGIN
          IF current_user <> %L THEN
            RAISE EXCEPTION 'audit_events is append-only: %% is refused', TG_OP USING ERRCODE = 'insufficient_privilege';
          END IF;
          RETURN COALESCE(NEW, OLD);
        END $body$ $f$, current_user);
    END $$`);
    await q.query(`CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`);
    await q.query(`CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS audit_events`);
    await q.query(`DROP FUNCTION IF EXISTS audit_events_append_only()`);
  }
}
