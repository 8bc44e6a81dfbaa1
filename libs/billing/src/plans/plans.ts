import { BillingException, BillingExceptionCode } from '../billing.exception';

export enum PlanId {
  FREE = 'FREE',
  PRO = 'PRO',
  AGENCY = 'AGENCY',
}

export interface Plan {
  id: PlanId;
  name: string;
  /** Credits included each billing period. On FREE this is also a hard cap. */
  includedCredits: number;
  /** false: usage stops at includedCredits (FREE). true: usage beyond is billed as overage. */
  overageAllowed: boolean;
  /** Price of one credit beyond the included ones, in cents (may be fractional). */
  overageCentsPerCredit: number;
  /** Flat monthly fee, in cents. */
  monthlyFeeCents: number;
  seats: number;
  /** Generation requests per minute per workspace. */
  rateLimitPerMinute: number;
  /** BullMQ priority for this plan's generation jobs: lower runs first. */
  queuePriority: number;
  /** Stripe lookup keys of the plan's prices (null on FREE, which has no subscription). */
  stripe: null | { productId: string; feeLookupKey: string; creditsLookupKey: string };
}

export const PLANS: Readonly<Record<PlanId, Plan>> = {
  [PlanId.FREE]: {
    id: PlanId.FREE,
    name: 'Free',
    includedCredits: 200,
    overageAllowed: false,
    overageCentsPerCredit: 0,
    monthlyFeeCents: 0,
    seats: 2,
    rateLimitPerMinute: 20,
    queuePriority: 10,
    stripe: null,
  },
  [PlanId.PRO]: {
    id: PlanId.PRO,
    name: 'Pro',
    includedCredits: 5_000,
    overageAllowed: true,
    overageCentsPerCredit: 1,
    monthlyFeeCents: 4_900,
    seats: 10,
    rateLimitPerMinute: 120,
    queuePriority: 5,
    stripe: { productId: 'brandwright_pro', feeLookupKey: 'brandwright_pro_monthly_fee', creditsLookupKey: 'brandwright_pro_credits' },
  },
  [PlanId.AGENCY]: {
    id: PlanId.AGENCY,
    name: 'Agency',
    includedCredits: 30_000,
    overageAllowed: true,
    overageCentsPerCredit: 0.8,
    monthlyFeeCents: 19_900,
    seats: 50,
    rateLimitPerMinute: 600,
    queuePriority: 1,
    stripe: {
      productId: 'brandwright_agency',
      feeLookupKey: 'brandwright_agency_monthly_fee',
      creditsLookupKey: 'brandwright_agency_credits',
    },
  },
};

/**
 * All usage goes to one Stripe Billing Meter counting credits. Included credits are a pool shared
 * by text and images, and Stripe's graduated tiers apply per meter, so one credit meter makes the
 * Stripe invoice equal what the ledger shows. Per-meter detail lives in the ledger.
 */
export const CREDITS_METER = { eventName: 'brandwright_credits', displayName: 'Brandwright credits' } as const;

export function planById(id: string): Plan {
  const plan = (PLANS as Record<string, Plan | undefined>)[id];
  if (!plan) {
    throw new BillingException(BillingExceptionCode.UNKNOWN_PLAN, `plan: "${id}" is not one of ${Object.keys(PLANS).join(', ')}`, {
      field: 'plan',
    });
  }
  return plan;
}

/** The plan whose Stripe prices include this lookup key, if any. */
export function planByLookupKey(lookupKey: string | null | undefined): Plan | undefined {
  if (!lookupKey) return undefined;
  return Object.values(PLANS).find((p) => p.stripe?.feeLookupKey === lookupKey || p.stripe?.creditsLookupKey === lookupKey);
}
