import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE, enableTenantRls } from './lib/tenancy';

/**
 * The usage reporter and reconciliation (system tasks, no workspace) read across workspaces only
 * through two SECURITY DEFINER functions below, owned by the migration user; a policy lets only
 * that owner read every row, so the app role can call them but never read other workspaces itself.
 */
const OWNER_READ = (table: string) =>
  `DO $$ BEGIN EXECUTE format('CREATE POLICY billing_system_read ON ${table} FOR SELECT USING (current_user = %L)', current_user); END $$`;

/**
 * Billing: one account row per workspace (plan, Stripe ids, spend cap; the row reservations lock),
 * credit reservations, the append-only usage ledger, alerts, reconciliation results, and the ids
 * of Stripe webhook events already handled.
 */
export class Billing1764400000000 implements MigrationInterface {
  name = 'Billing1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE billing_accounts (
      workspace_id uuid PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
      plan text NOT NULL DEFAULT 'FREE' CHECK (plan IN ('FREE', 'PRO', 'AGENCY')),
      stripe_customer_id text UNIQUE,
      stripe_subscription_id text,
      subscription_status text,
      subscription_state_at timestamptz,
      current_period_start timestamptz,
      current_period_end timestamptz,
      spend_cap_cents bigint CHECK (spend_cap_cents >= 0),
      payment_failed_at timestamptz,
      payment_state_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    // Stripe webhooks find the workspace by its customer id before the workspace is known.
    await enableTenantRls(q, 'billing_accounts', `stripe_customer_id = NULLIF(current_setting('app.stripe_customer_id', true), '')`);
    await q.query(OWNER_READ('billing_accounts'));

    await q.query(`CREATE TABLE credit_reservations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      job_id uuid NOT NULL,
      meter text NOT NULL,
      estimated_quantity bigint NOT NULL CHECK (estimated_quantity >= 0),
      credits bigint NOT NULL CHECK (credits >= 0),
      status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'SETTLED', 'RELEASED')),
      created_at timestamptz NOT NULL DEFAULT now(),
      closed_at timestamptz,
      UNIQUE (job_id, meter)
    )`);
    await q.query(`CREATE INDEX ix_credit_reservations_open ON credit_reservations (workspace_id, created_at) WHERE status = 'OPEN'`);
    await enableTenantRls(q, 'credit_reservations');

    // The ledger. One row per job and meter; its id is the Stripe meter event identifier.
    await q.query(`CREATE TABLE usage_events (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      job_id uuid NOT NULL,
      meter text NOT NULL,
      quantity bigint NOT NULL CHECK (quantity >= 0),
      credits bigint NOT NULL CHECK (credits >= 0),
      occurred_at timestamptz NOT NULL DEFAULT now(),
      report_status text NOT NULL CHECK (report_status IN ('PENDING', 'REPORTED', 'NOT_BILLABLE')),
      reported_at timestamptz,
      report_attempts integer NOT NULL DEFAULT 0,
      UNIQUE (job_id, meter)
    )`);
    await q.query(`CREATE INDEX ix_usage_events_period ON usage_events (workspace_id, occurred_at)`);
    await q.query(`CREATE INDEX ix_usage_events_pending ON usage_events (occurred_at) WHERE report_status = 'PENDING'`);
    await enableTenantRls(q, 'usage_events');
    await q.query(OWNER_READ('usage_events'));
    // Pending usage of every workspace with a Stripe customer, oldest first: the reporter's input.
    await q.query(`CREATE FUNCTION billing_pending_usage(max_rows integer)
      RETURNS TABLE (id uuid, workspace_id uuid, credits bigint, occurred_at timestamptz, meter text, stripe_customer_id text)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
        SELECT u.id, u.workspace_id, u.credits, u.occurred_at, u.meter, a.stripe_customer_id
          FROM usage_events u JOIN billing_accounts a ON a.workspace_id = u.workspace_id
         WHERE u.report_status = 'PENDING' AND a.stripe_customer_id IS NOT NULL
         ORDER BY u.occurred_at LIMIT max_rows
      $$`);
    // Reported and pending credits per Stripe customer in a window: reconciliation's side.
    await q.query(`CREATE FUNCTION billing_usage_totals(window_from timestamptz, window_to timestamptz)
      RETURNS TABLE (workspace_id uuid, stripe_customer_id text, reported numeric, pending numeric)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
        SELECT a.workspace_id, a.stripe_customer_id,
               COALESCE(SUM(u.credits) FILTER (WHERE u.report_status = 'REPORTED'), 0),
               COALESCE(SUM(u.credits) FILTER (WHERE u.report_status = 'PENDING'), 0)
          FROM billing_accounts a
          LEFT JOIN usage_events u ON u.workspace_id = a.workspace_id AND u.occurred_at >= window_from AND u.occurred_at < window_to
         WHERE a.stripe_customer_id IS NOT NULL
         GROUP BY a.workspace_id, a.stripe_customer_id
      $$`);
    for (const fn of ['billing_pending_usage(integer)', 'billing_usage_totals(timestamptz, timestamptz)']) {
      await q.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await q.query(`GRANT EXECUTE ON FUNCTION ${fn} TO ${APP_ROLE}`);
    }
    // Append-only: what was used never changes; only the reporting columns move forward.
    await q.query(`CREATE FUNCTION usage_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (NEW.id, NEW.workspace_id, NEW.job_id, NEW.meter, NEW.quantity, NEW.credits, NEW.occurred_at)
           IS DISTINCT FROM (OLD.id, OLD.workspace_id, OLD.job_id, OLD.meter, OLD.quantity, OLD.credits, OLD.occurred_at) THEN
          RAISE EXCEPTION 'usage_events is append-only: only its reporting columns may change';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER usage_events_append_only BEFORE UPDATE ON usage_events
      FOR EACH ROW EXECUTE FUNCTION usage_events_append_only()`);
    // The app may not delete ledger rows (a workspace's deletion still cascades, as the owner).
    await q.query(`REVOKE DELETE, TRUNCATE ON usage_events FROM ${APP_ROLE}`);

    // In-app notifications about credits: each kind fires once per workspace and period.
    await q.query(`CREATE TABLE billing_alerts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('CREDITS_80', 'CREDITS_100')),
      period_start timestamptz NOT NULL,
      credits_used bigint NOT NULL,
      credit_limit bigint NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      read_at timestamptz,
      UNIQUE (workspace_id, kind, period_start)
    )`);
    await enableTenantRls(q, 'billing_alerts');

    await q.query(`CREATE TABLE usage_reconciliations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      stripe_customer_id text NOT NULL,
      window_start timestamptz NOT NULL,
      window_end timestamptz NOT NULL,
      ledger_credits bigint NOT NULL,
      stripe_credits bigint NOT NULL,
      difference bigint NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await enableTenantRls(q, 'usage_reconciliations');

    // Not tenant data: Stripe event ids already applied, so a redelivery changes nothing.
    await q.query(`CREATE TABLE stripe_webhook_events (
      id text PRIMARY KEY,
      type text NOT NULL,
      stripe_created timestamptz NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'stripe_webhook_events',
      'usage_reconciliations',
      'billing_alerts',
      'usage_events',
      'credit_reservations',
      'billing_accounts',
    ]) {
      await q.query(`DROP TABLE IF EXISTS "${table}" CASCADE`);
    }
    await q.query(`DROP FUNCTION IF EXISTS usage_events_append_only()`);
    await q.query(`DROP FUNCTION IF EXISTS billing_pending_usage(integer)`);
    await q.query(`DROP FUNCTION IF EXISTS billing_usage_totals(timestamptz, timestamptz)`);
  }
}
