import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Meter } from '../plans/meters';
import { settleUsage } from '../metering/ledger';
import { type BillingTestKit, startBillingTestKit } from '../../../../test/support/billing-test-kit';
import { UsageReporter } from './usage-reporter';
import { reconcileUsage } from './usage-reconciliation';

describe('usage reporter', () => {
  let kit: BillingTestKit;
  before(async () => {
    // Short timeouts and few SDK retries: the reporter's own next pass picks up what fails.
    kit = await startBillingTestKit({ stripeTimeoutMs: 250, maxNetworkRetries: 2 });
  });
  after(() => kit.close());

  async function payingWorkspace(): Promise<{ ws: string; customer: string }> {
    const ws = await kit.createWorkspace();
    const customer = await kit.stripe.customers.create({ metadata: { workspace_id: ws } });
    await kit.owner.query(`INSERT INTO billing_accounts (workspace_id, plan, stripe_customer_id) VALUES ($1, 'PRO', $2)`, [
      ws,
      customer.id,
    ]);
    return { ws, customer: customer.id };
  }

  test('settled usage of a paid plan is reported with the ledger row id as identifier; FREE usage is not', async () => {
    const { ws, customer } = await payingWorkspace();
    const free = await kit.createWorkspace();
    const jobId = randomUUID();
    await kit.tx.with({ workspaceId: ws }, (db) =>
      settleUsage(db, { jobId, actuals: { [Meter.IMAGE_MEDIUM]: 2, [Meter.TEXT_PROMPT_TOKENS]: 900 } }),
    );
    await kit.tx.with({ workspaceId: free }, (db) => settleUsage(db, { jobId: randomUUID(), actuals: { [Meter.IMAGE_SMALL]: 1 } }));

    const run = await new UsageReporter(kit.tx, kit.stripe).reportAll();
    assert.equal(run.reported, 2);
    const rows: Array<{ id: string; report_status: string }> = await kit.owner.query(
      `SELECT id, report_status FROM usage_events WHERE workspace_id IN ($1, $2) ORDER BY report_status`,
      [ws, free],
    );
    assert.deepEqual(
      rows.map((r) => r.report_status),
      ['NOT_BILLABLE', 'REPORTED', 'REPORTED'],
    );
    for (const row of rows.filter((r) => r.report_status === 'REPORTED')) assert.ok(kit.fake.meterEvents.has(row.id));
    assert.equal(kit.fake.meteredValue(customer), 20 + 1);
  });

  test('10,000 events while Stripe fails 20 % of calls and times out on 5 %: exactly 10,000 accepted, none sent again without a timeout', async () => {
    const accounts = await Promise.all([1, 2, 3, 4, 5].map(() => payingWorkspace()));
    for (const { ws } of accounts) {
      await kit.owner.query(
        `INSERT INTO usage_events (workspace_id, job_id, meter, quantity, credits, report_status)
         SELECT $1, gen_random_uuid(), 'image_small', 1, 1 + (n % 7), 'PENDING' FROM generate_series(1, 2000) AS n`,
        [ws],
      );
    }
    const before = kit.fake.meterEvents.size;
    const resentBefore = kit.fake.meterEventRequestsWithSeenIdentifier;
    const timedOutBefore = kit.fake.stats.timedOut;
    kit.fake.setFaults({ failRate: 0.2, timeoutRate: 0.05 });
    const reporter = new UsageReporter(kit.tx, kit.stripe, { batchSize: 100, concurrency: 8, maxRowsPerRun: 10_000 });
    let passes = 0;
    for (; passes < 20; passes++) {
      const run = await reporter.reportPending();
      if (run.requests === 0) break;
    }
    kit.fake.setFaults({});

    assert.ok(kit.fake.stats.failed500 > 0 && kit.fake.stats.timedOut > 0, 'the faults really happened');
    // The fake de-duplicates by identifier, so "accepted once" alone cannot catch a reporter that
    // resends: count the requests that carried an identifier Stripe had already received.
    // Only a timeout (Stripe did the work, the answer never came) justifies sending one again.
    const resent = kit.fake.meterEventRequestsWithSeenIdentifier - resentBefore;
    const timedOut = kit.fake.stats.timedOut - timedOutBefore;
    assert.ok(resent <= timedOut, `${resent} requests resent identifiers Stripe already had, after only ${timedOut} timeouts`);
    assert.equal(kit.fake.meterEvents.size - before, 10_000, 'every ledger row accepted once');
    const ledger: Array<{ id: string; credits: string }> = await kit.owner.query(
      `SELECT id, credits FROM usage_events WHERE workspace_id = ANY($1)`,
      [accounts.map((a) => a.ws)],
    );
    assert.ok(
      ledger.every((r) => kit.fake.meterEvents.has(r.id)),
      'Stripe holds exactly the ledger identifiers',
    );
    const [{ pending }] = await kit.owner.query(`SELECT count(*)::int AS pending FROM usage_events WHERE report_status = 'PENDING'`);
    assert.equal(pending, 0);
    for (const { ws, customer } of accounts) {
      const [{ sum }] = await kit.owner.query(`SELECT sum(credits)::int AS sum FROM usage_events WHERE workspace_id = $1`, [ws]);
      assert.equal(kit.fake.meteredValue(customer), sum, 'Stripe bills what the ledger says');
    }

    // Reconciliation against Stripe's meter event summaries agrees, and stores a row per workspace.
    const now = Date.now();
    const window = {
      from: new Date(Math.floor(now / 60_000) * 60_000 - 3_600_000),
      to: new Date(Math.ceil(now / 60_000) * 60_000 + 60_000),
    };
    const report = await reconcileUsage(kit.tx, kit.stripe, window);
    assert.equal(report.mismatches.length, 0);
    assert.ok(report.lines.length >= 5);
    const [{ stored }] = await kit.owner.query(`SELECT count(*)::int AS stored FROM usage_reconciliations`);
    assert.equal(stored, report.lines.length);
  });

  test('reconciliation flags usage Stripe never counted', async () => {
    const { ws, customer } = await payingWorkspace();
    await kit.owner.query(
      `INSERT INTO usage_events (workspace_id, job_id, meter, quantity, credits, report_status, reported_at)
       VALUES ($1, gen_random_uuid(), 'image_large', 1, 20, 'REPORTED', now())`,
      [ws],
    );
    const now = Date.now();
    const report = await reconcileUsage(kit.tx, kit.stripe, {
      from: new Date(Math.floor(now / 60_000) * 60_000 - 60_000),
      to: new Date(Math.ceil(now / 60_000) * 60_000 + 60_000),
    });
    const line = report.mismatches.find((l) => l.stripeCustomerId === customer);
    assert.ok(line);
    assert.equal(line.difference, -20);
  });
});
