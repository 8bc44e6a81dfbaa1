import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { BillingException } from '../billing.exception';
import { Meter, creditsFor } from '../plans/meters';
import { PLANS } from '../plans/plans';
import { type BillingTestKit, startBillingTestKit } from '../../../../test/support/billing-test-kit';
import type { BillingAlert } from './billing-alerts';
import { listBillingAlerts } from './billing-alerts';
import { assertCanGenerate, creditStanding, releaseCredits, reserveCredits, reserveJobCredits, settleUsage } from './ledger';
import { setSpendCap } from './spend-cap';
import { usageByDay, usageByMeter } from './usage-report';

const FREE_CREDITS = PLANS.FREE.includedCredits;
/** Prompt tokens worth exactly `credits` credits (1 credit per 1,000). */
const tokensFor = (credits: number) => credits * 1000;

async function rejectsWith(promise: Promise<unknown>, code: string, reason?: string): Promise<BillingException> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof BillingException, `expected a BillingException, got ${String(err)}`);
    assert.equal(err.clientCode, code);
    if (reason) assert.equal(err.reason, reason);
    return err;
  }
  assert.fail(`expected ${code}`);
}

describe('credit ledger', () => {
  let kit: BillingTestKit;
  before(async () => {
    kit = await startBillingTestKit();
  });
  after(() => kit.close());

  const inWorkspace = <T>(workspaceId: string, fn: Parameters<BillingTestKit['tx']['with']>[1]) =>
    kit.tx.with({ workspaceId }, fn) as Promise<T>;

  test('credits per meter: tokens per 1,000 rounded up, images per size', () => {
    assert.equal(creditsFor(Meter.TEXT_PROMPT_TOKENS, 1), 1);
    assert.equal(creditsFor(Meter.TEXT_PROMPT_TOKENS, 2000), 2);
    assert.equal(creditsFor(Meter.TEXT_OUTPUT_TOKENS, 1000), 3);
    assert.equal(creditsFor(Meter.IMAGE_LARGE, 2), 40);
    assert.equal(creditsFor(Meter.IMAGE_SMALL, 0), 0);
  });

  test('reserve → settle records one usage row per meter, exactly once', async () => {
    const ws = await kit.createWorkspace();
    const jobId = randomUUID();
    await inWorkspace(ws, (db) =>
      reserveJobCredits(db, { workspaceId: ws, jobId, estimate: { [Meter.TEXT_PROMPT_TOKENS]: 500, [Meter.TEXT_OUTPUT_TOKENS]: 2000 } }),
    );
    let standing = await inWorkspace<Awaited<ReturnType<typeof creditStanding>>>(ws, (db) => creditStanding(db, ws));
    assert.equal(standing.creditsReserved, 1 + 6);
    assert.equal(standing.creditsUsed, 0);

    const actuals = { [Meter.TEXT_PROMPT_TOKENS]: 400, [Meter.TEXT_OUTPUT_TOKENS]: 1500 };
    const first = await inWorkspace<Awaited<ReturnType<typeof settleUsage>>>(ws, (db) => settleUsage(db, { jobId, actuals }));
    const second = await inWorkspace<Awaited<ReturnType<typeof settleUsage>>>(ws, (db) => settleUsage(db, { jobId, actuals }));
    assert.equal(first.settled, true);
    assert.equal(first.events.length, 2);
    assert.equal(second.settled, false);

    standing = await inWorkspace(ws, (db) => creditStanding(db, ws));
    assert.equal(standing.creditsReserved, 0, 'settling closes the reservations');
    assert.equal(standing.creditsUsed, 1 + 5);
    const [{ count }] = await kit.owner.query(`SELECT count(*)::int AS count FROM usage_events WHERE job_id = $1`, [jobId]);
    assert.equal(count, 2);
  });

  test('a job may use exactly the credits left, not one more; reserving again holds nothing new', async () => {
    const ws = await kit.createWorkspace();
    const jobId = randomUUID();
    const estimate = { [Meter.TEXT_PROMPT_TOKENS]: tokensFor(10), [Meter.IMAGE_SMALL]: 1 };
    const first = await inWorkspace<Array<{ id: string; meter: string }>>(ws, (db) =>
      reserveJobCredits(db, { workspaceId: ws, jobId, estimate }),
    );
    const again = await inWorkspace<Array<{ id: string; meter: string }>>(ws, (db) =>
      reserveJobCredits(db, { workspaceId: ws, jobId, estimate }),
    );
    assert.deepEqual(
      first.map((r) => r.meter),
      [Meter.TEXT_PROMPT_TOKENS, Meter.IMAGE_SMALL],
    );
    assert.deepEqual(
      again.map((r) => r.id),
      first.map((r) => r.id),
      'the same reservations come back',
    );
    const held = 10 + creditsFor(Meter.IMAGE_SMALL, 1);
    const standing = await inWorkspace<{ creditsReserved: number; creditsLeft: number | null }>(ws, (db) => creditStanding(db, ws));
    assert.equal(standing.creditsReserved, held, 'held once');
    assert.equal(standing.creditsLeft, FREE_CREDITS - held);

    const left = FREE_CREDITS - held;
    await rejectsWith(
      inWorkspace(ws, (db) => assertCanGenerate(db, ws, { [Meter.TEXT_PROMPT_TOKENS]: tokensFor(left + 1) })),
      'QUOTA_EXCEEDED',
      'CREDITS_EXHAUSTED',
    );
    await inWorkspace(ws, (db) => assertCanGenerate(db, ws, { [Meter.TEXT_PROMPT_TOKENS]: tokensFor(left) }));
    await inWorkspace(ws, (db) =>
      reserveCredits(db, { workspaceId: ws, jobId: randomUUID(), meter: Meter.TEXT_PROMPT_TOKENS, estimatedQuantity: tokensFor(left) }),
    );
    const after = await inWorkspace<{ creditsLeft: number | null }>(ws, (db) => creditStanding(db, ws));
    assert.equal(after.creditsLeft, 0, 'the last credit can be used');
  });

  test('two settlements racing for one job record it once', async () => {
    const ws = await kit.createWorkspace();
    const jobId = randomUUID();
    await inWorkspace(ws, (db) => reserveCredits(db, { workspaceId: ws, jobId, meter: Meter.IMAGE_SMALL, estimatedQuantity: 2 }));
    const results = await Promise.all(
      [1, 2, 3].map(() => inWorkspace<{ settled: boolean }>(ws, (db) => settleUsage(db, { jobId, actuals: { [Meter.IMAGE_SMALL]: 2 } }))),
    );
    assert.equal(results.filter((r) => r.settled).length, 1);
    const [{ credits }] = await kit.owner.query(`SELECT sum(credits)::int AS credits FROM usage_events WHERE job_id = $1`, [jobId]);
    assert.equal(credits, 8);
  });

  test('release gives held credits back; a released job records nothing', async () => {
    const ws = await kit.createWorkspace();
    const jobId = randomUUID();
    await inWorkspace(ws, (db) => reserveCredits(db, { workspaceId: ws, jobId, meter: Meter.IMAGE_MEDIUM, estimatedQuantity: 3 }));
    const released = await inWorkspace<unknown[]>(ws, (db) => releaseCredits(db, { jobId }));
    assert.equal(released.length, 1);
    assert.equal((await inWorkspace<unknown[]>(ws, (db) => releaseCredits(db, { jobId }))).length, 0, 'a second release is a no-op');
    const standing = await inWorkspace<{ creditsReserved: number; creditsUsed: number }>(ws, (db) => creditStanding(db, ws));
    assert.deepEqual([standing.creditsReserved, standing.creditsUsed], [0, 0]);
  });

  test('two reservations racing for the last credits: exactly one wins', async () => {
    const ws = await kit.createWorkspace();
    // Leave 10 credits: use FREE_CREDITS - 10 first.
    const filler = randomUUID();
    await inWorkspace(ws, (db) =>
      settleUsage(db, { jobId: filler, actuals: { [Meter.TEXT_PROMPT_TOKENS]: tokensFor(FREE_CREDITS - 10) } }),
    );
    const attempts = await Promise.allSettled(
      [1, 2, 3, 4].map(() =>
        inWorkspace(ws, (db) =>
          reserveCredits(db, { workspaceId: ws, jobId: randomUUID(), meter: Meter.IMAGE_SMALL, estimatedQuantity: 2 }),
        ),
      ),
    );
    const won = attempts.filter((a) => a.status === 'fulfilled');
    const lost = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
    assert.equal(won.length, 1, 'one 8-credit reservation fits in 10 credits');
    assert.equal(lost.length, 3);
    for (const l of lost) assert.equal((l.reason as BillingException).clientCode, 'QUOTA_EXCEEDED');
  });

  test('over its cap a workspace cannot reserve (QUOTA_EXCEEDED) but reads still work', async () => {
    const ws = await kit.createWorkspace();
    await inWorkspace(ws, (db) =>
      settleUsage(db, { jobId: randomUUID(), actuals: { [Meter.TEXT_PROMPT_TOKENS]: tokensFor(FREE_CREDITS) } }),
    );
    const err = await rejectsWith(
      inWorkspace(ws, (db) =>
        reserveCredits(db, { workspaceId: ws, jobId: randomUUID(), meter: Meter.TEXT_PROMPT_TOKENS, estimatedQuantity: 10 }),
      ),
      'QUOTA_EXCEEDED',
      'CREDITS_EXHAUSTED',
    );
    assert.equal(err.extensions.creditsLeft, 0);
    await rejectsWith(
      inWorkspace(ws, (db) => assertCanGenerate(db, ws, { [Meter.IMAGE_SMALL]: 1 })),
      'QUOTA_EXCEEDED',
    );

    // Reads keep working.
    const standing = await inWorkspace<{ creditsLeft: number; creditsUsed: number }>(ws, (db) => creditStanding(db, ws));
    assert.deepEqual([standing.creditsUsed, standing.creditsLeft], [FREE_CREDITS, 0]);
    const window = { from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 86_400_000) };
    const byMeter = await inWorkspace<Array<{ meter: string; credits: number }>>(ws, (db) => usageByMeter(db, ws, window));
    assert.deepEqual(
      byMeter.map((m) => [m.meter, m.credits]),
      [[Meter.TEXT_PROMPT_TOKENS, FREE_CREDITS]],
    );
    const byDay = await inWorkspace<unknown[]>(ws, (db) => usageByDay(db, ws, window));
    assert.equal(byDay.length, 1);
  });

  test('a spend cap on a paid plan limits overage; alerts fire once at 80 % and 100 %', async () => {
    const ws = await kit.createWorkspace();
    await kit.owner.query(`INSERT INTO billing_accounts (workspace_id, plan) VALUES ($1, 'PRO')`, [ws]);
    // PRO: 5,000 included, 1 cent per extra credit; a 1,000-cent cap allows 6,000 credits.
    await inWorkspace(ws, (db) => setSpendCap(db, ws, 1_000));
    const heard: BillingAlert[] = [];
    const settle = async (credits: number) => {
      const settled = await inWorkspace<{ alerts: BillingAlert[] }>(ws, (db) =>
        settleUsage(db, { jobId: randomUUID(), actuals: { [Meter.TEXT_PROMPT_TOKENS]: tokensFor(credits) } }),
      );
      heard.push(...settled.alerts);
    };
    await settle(4_700); // 78 %
    assert.equal(heard.length, 0);
    await settle(300); // 83 %
    await settle(30); // still over 80 %: no second alert
    assert.deepEqual(
      heard.map((a) => a.kind),
      ['CREDITS_80'],
    );
    await rejectsWith(
      inWorkspace(ws, (db) =>
        reserveCredits(db, { workspaceId: ws, jobId: randomUUID(), meter: Meter.TEXT_PROMPT_TOKENS, estimatedQuantity: tokensFor(1_200) }),
      ),
      'QUOTA_EXCEEDED',
      'SPEND_CAP_REACHED',
    );
    await settle(970); // exactly 6,000
    assert.deepEqual(
      heard.map((a) => a.kind),
      ['CREDITS_80', 'CREDITS_100'],
    );
    const stored = await inWorkspace<BillingAlert[]>(ws, (db) => listBillingAlerts(db, ws));
    assert.equal(stored.length, 2);

    // Raising the cap lets work continue.
    await inWorkspace(ws, (db) => setSpendCap(db, ws, null));
    await inWorkspace(ws, (db) =>
      reserveCredits(db, { workspaceId: ws, jobId: randomUUID(), meter: Meter.IMAGE_LARGE, estimatedQuantity: 5 }),
    );
  });

  test('a failed payment refuses generation with PAYMENT_REQUIRED; reads still work', async () => {
    const ws = await kit.createWorkspace();
    await kit.owner.query(`INSERT INTO billing_accounts (workspace_id, plan, payment_failed_at) VALUES ($1, 'PRO', now())`, [ws]);
    await rejectsWith(
      inWorkspace(ws, (db) => reserveCredits(db, { workspaceId: ws, jobId: randomUUID(), meter: Meter.IMAGE_SMALL, estimatedQuantity: 1 })),
      'PAYMENT_REQUIRED',
    );
    const standing = await inWorkspace<{ paymentRequired: boolean }>(ws, (db) => creditStanding(db, ws));
    assert.equal(standing.paymentRequired, true);
  });

  test('bad input names the field', async () => {
    const ws = await kit.createWorkspace();
    const err = await rejectsWith(
      inWorkspace(ws, (db) => reserveCredits(db, { workspaceId: ws, jobId: randomUUID(), meter: 'video_seconds', estimatedQuantity: 1 })),
      'BAD_USER_INPUT',
    );
    assert.equal(err.field, 'meter');
    await rejectsWith(
      inWorkspace(ws, (db) => setSpendCap(db, ws, -5)),
      'BAD_USER_INPUT',
    );
  });

  test('the ledger is append-only and tenant-isolated', async () => {
    const ws = await kit.createWorkspace();
    const other = await kit.createWorkspace();
    const jobId = randomUUID();
    await inWorkspace(ws, (db) => settleUsage(db, { jobId, actuals: { [Meter.IMAGE_SMALL]: 1 } }));
    await assert.rejects(
      inWorkspace(ws, (db) => db.query(`UPDATE usage_events SET credits = 0 WHERE job_id = $1`, [jobId])),
      /append-only/,
    );
    await assert.rejects(
      inWorkspace(ws, (db) => db.query(`DELETE FROM usage_events WHERE job_id = $1`, [jobId])),
      /permission denied/,
    );
    const seen = await inWorkspace<unknown[]>(other, (db) => db.query(`SELECT * FROM usage_events WHERE job_id = $1`, [jobId]));
    assert.equal(seen.length, 0, 'another workspace sees none of it');
  });
});
