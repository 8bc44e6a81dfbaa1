import Stripe from 'stripe';
import { CREDITS_METER, PLANS } from '../plans/plans';

export interface StripeSetupResult {
  meterId: string;
  created: string[];
  existing: string[];
}

/**
 * Creates the Billing Meter, products and prices the plans need, and is safe to run again: the
 * meter is found by event name, products by their fixed ids, prices by lookup key, and only
 * what is missing is created.
 */
export async function setUpStripe(stripe: Stripe): Promise<StripeSetupResult> {
  const created: string[] = [];
  const existing: string[] = [];

  const meters = await stripe.billing.meters.list({ status: 'active', limit: 100 });
  let meter = meters.data.find((m) => m.event_name === CREDITS_METER.eventName);
  if (meter) existing.push(`meter ${meter.event_name}`);
  else {
    meter = await stripe.billing.meters.create({
      display_name: CREDITS_METER.displayName,
      event_name: CREDITS_METER.eventName,
      default_aggregation: { formula: 'sum' },
      customer_mapping: { type: 'by_id', event_payload_key: 'stripe_customer_id' },
      value_settings: { event_payload_key: 'value' },
    });
    created.push(`meter ${meter.event_name}`);
  }

  for (const plan of Object.values(PLANS)) {
    if (!plan.stripe) continue;
    const { productId, feeLookupKey, creditsLookupKey } = plan.stripe;
    try {
      await stripe.products.retrieve(productId);
      existing.push(`product ${productId}`);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
      await stripe.products.create({ id: productId, name: `Brandwright ${plan.name}`, metadata: { plan: plan.id } });
      created.push(`product ${productId}`);
    }

    const prices = await stripe.prices.list({ lookup_keys: [feeLookupKey, creditsLookupKey], active: true, limit: 10 });
    const have = new Set(prices.data.map((p) => p.lookup_key));
    if (have.has(feeLookupKey)) existing.push(`price ${feeLookupKey}`);
    else {
      await stripe.prices.create({
        product: productId,
        lookup_key: feeLookupKey,
        currency: 'usd',
        unit_amount: plan.monthlyFeeCents,
        recurring: { interval: 'month', usage_type: 'licensed' },
        metadata: { plan: plan.id },
      });
      created.push(`price ${feeLookupKey}`);
    }
    if (have.has(creditsLookupKey)) existing.push(`price ${creditsLookupKey}`);
    else {
      // Included credits are the first, free tier; every credit beyond costs the overage rate.
      await stripe.prices.create({
        product: productId,
        lookup_key: creditsLookupKey,
        currency: 'usd',
        recurring: { interval: 'month', usage_type: 'metered', meter: meter.id },
        billing_scheme: 'tiered',
        tiers_mode: 'graduated',
        tiers: [
          { up_to: plan.includedCredits, unit_amount: 0 },
          { up_to: 'inf', unit_amount_decimal: Stripe.Decimal.from(plan.overageCentsPerCredit) },
        ],
        metadata: { plan: plan.id },
      });
      created.push(`price ${creditsLookupKey}`);
    }
  }
  return { meterId: meter.id, created, existing };
}
