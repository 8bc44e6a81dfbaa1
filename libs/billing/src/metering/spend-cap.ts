import type { EntityManager } from 'typeorm';
import { BillingException, BillingExceptionCode } from '../billing.exception';
import { loadBillingAccount } from './billing-account';
import { type CreditStanding, creditStandingOf } from './credit-standing';

/** The most a cap may be: $1,000,000 a period, far above any real use, to catch typos. */
const MAX_SPEND_CAP_CENTS = 100_000_000;

/**
 * Sets (or with null, removes) the most a paid workspace may spend on overage in one period, in
 * cents. Usage that would pass it is refused with QUOTA_EXCEEDED; alerts fire at 80 % and 100 %.
 */
export async function setSpendCap(db: EntityManager, workspaceId: string, spendCapCents: number | null): Promise<CreditStanding> {
  if (spendCapCents !== null && (!Number.isSafeInteger(spendCapCents) || spendCapCents < 0 || spendCapCents > MAX_SPEND_CAP_CENTS)) {
    throw new BillingException(
      BillingExceptionCode.INVALID_SPEND_CAP,
      `spendCapCents: must be a whole number of cents from 0 to ${MAX_SPEND_CAP_CENTS}, or null for no cap`,
      { field: 'spendCapCents' },
    );
  }
  await loadBillingAccount(db, workspaceId, { lock: true });
  await db.query(`UPDATE billing_accounts SET spend_cap_cents = $2, updated_at = now() WHERE workspace_id = $1`, [
    workspaceId,
    spendCapCents,
  ]);
  return creditStandingOf(db, await loadBillingAccount(db, workspaceId));
}
