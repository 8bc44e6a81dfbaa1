import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE, CURRENT_USER, CURRENT_WORKSPACE, enableTenantRls } from './lib/tenancy';

/**
 * Users, workspaces, memberships, invitations, refresh tokens, API keys, brands and campaigns.
 * Every tenant-owned table carries workspace_id under FORCEd row-level security; users and
 * refresh tokens belong to a person, not a workspace, and are reached only through auth code.
 */
export class Foundation1764300000000 implements MigrationInterface {
  name = 'Foundation1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
        CREATE ROLE ${APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS;
      END IF;
    END $$`);
    await q.query(`GRANT USAGE ON SCHEMA public TO ${APP_ROLE}`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${APP_ROLE}`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${APP_ROLE}`);

    await q.query(`CREATE TABLE users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      email text NOT NULL,
      name text NOT NULL,
      password_hash text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE UNIQUE INDEX ux_users_email ON users (lower(email))`);

    await q.query(`CREATE TABLE workspaces (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL,
      slug text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);

    await q.query(`CREATE TABLE memberships (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      role text NOT NULL CHECK (role IN ('OWNER', 'ADMIN', 'EDITOR', 'VIEWER')),
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (workspace_id, user_id)
    )`);
    await q.query(`CREATE INDEX ix_memberships_user ON memberships (user_id)`);
    // A user lists the workspaces they belong to before choosing one.
    await enableTenantRls(q, 'memberships', `user_id = ${CURRENT_USER}`);

    // The workspace row itself: visible in its own context, and to its members.
    await q.query(`ALTER TABLE workspaces ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE workspaces FORCE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY workspace_read ON workspaces FOR SELECT USING (
      id = ${CURRENT_WORKSPACE}
      OR id IN (SELECT workspace_id FROM memberships WHERE user_id = ${CURRENT_USER}))`);
    await q.query(
      `CREATE POLICY workspace_write ON workspaces FOR UPDATE USING (id = ${CURRENT_WORKSPACE}) WITH CHECK (id = ${CURRENT_WORKSPACE})`,
    );
    await q.query(`CREATE POLICY workspace_create ON workspaces FOR INSERT WITH CHECK (id = ${CURRENT_WORKSPACE})`);
    await q.query(`CREATE POLICY workspace_delete ON workspaces FOR DELETE USING (id = ${CURRENT_WORKSPACE})`);

    await q.query(`CREATE TABLE invitations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      email text NOT NULL,
      role text NOT NULL CHECK (role IN ('ADMIN', 'EDITOR', 'VIEWER')),
      token_hash text NOT NULL UNIQUE,
      invited_by uuid REFERENCES users(id) ON DELETE SET NULL,
      expires_at timestamptz NOT NULL,
      accepted_at timestamptz,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    // Accepting an invitation finds it by the hash of its token before the workspace is known.
    await enableTenantRls(q, 'invitations', `token_hash = NULLIF(current_setting('app.invitation_token_hash', true), '')`);

    await q.query(`CREATE TABLE refresh_tokens (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      family_id uuid NOT NULL,
      session_workspace_id uuid REFERENCES workspaces(id) ON DELETE SET NULL,
      token_hash text NOT NULL UNIQUE,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX ix_refresh_tokens_family ON refresh_tokens (family_id)`);

    await q.query(`CREATE TABLE api_keys (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      created_by uuid REFERENCES users(id) ON DELETE SET NULL,
      name text NOT NULL,
      prefix text NOT NULL UNIQUE,
      secret_hash text NOT NULL,
      scopes text[] NOT NULL,
      brand_ids uuid[],
      expires_at timestamptz,
      last_used_at timestamptz,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    // Authentication finds a key by its public prefix before its workspace is known.
    await enableTenantRls(q, 'api_keys', `prefix = NULLIF(current_setting('app.api_key_prefix', true), '')`);

    await q.query(`CREATE TABLE brands (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      name text NOT NULL,
      description text NOT NULL DEFAULT '',
      audience text NOT NULL DEFAULT '',
      tone_traits jsonb NOT NULL DEFAULT '[]',
      preferred_terms text[] NOT NULL DEFAULT '{}',
      required_terms text[] NOT NULL DEFAULT '{}',
      banned_terms text[] NOT NULL DEFAULT '{}',
      style_rules jsonb NOT NULL,
      example_copy text[] NOT NULL DEFAULT '{}',
      palette text[] NOT NULL DEFAULT '{}',
      heading_font text,
      body_font text,
      logo bytea,
      logo_mime_type text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE UNIQUE INDEX ux_brands_workspace_name ON brands (workspace_id, lower(name))`);
    await enableTenantRls(q, 'brands');

    await q.query(`CREATE TABLE campaigns (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      brand_id uuid NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
      name text NOT NULL,
      objective text NOT NULL,
      channels text[] NOT NULL DEFAULT '{}',
      brief text NOT NULL DEFAULT '',
      status text NOT NULL DEFAULT 'DRAFT',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX ix_campaigns_brand ON campaigns (brand_id)`);
    await enableTenantRls(q, 'campaigns');
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['campaigns', 'brands', 'api_keys', 'refresh_tokens', 'invitations', 'memberships', 'workspaces', 'users']) {
      await q.query(`DROP TABLE IF EXISTS "${table}" CASCADE`);
    }
  }
}
