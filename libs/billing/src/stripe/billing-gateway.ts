import type Stripe from 'stripe';
import type { EntityManager } from 'typeorm';
import { BillingException, BillingExceptionCode } from '../billing.exception';
import { type Plan, PlanId, planById } from '../plans/plans';
import { loadBillingAccount } from '../metering/billing-account';

export interface InvoiceSummary {
  id: string;
  number: string | null;
  status: string | null;
  currency: string;
  amountDueCents: number;
  amountPaidCents: number;
  periodStart: Date;
  periodEnd: Date;
  createdAt: Date;
  hostedInvoiceUrl: string | null;
  invoicePdfUrl: string | null;
}

/**
 * Everything billing asks Stripe on a user's behalf: the workspace's customer, Checkout and
 * Customer Portal sessions, invoices. Prices are found by lookup key (created by
 * `npm run billing:setup-stripe`), so no Stripe ids live in configuration.
 */
export class BillingGateway {
  private readonly priceIds = new Map<string, string>();

  constructor(private readonly stripe: Stripe) {}

  /**
   * The workspace's Stripe customer, created on first need. The idempotency key makes two
   * racing first calls get the same customer from Stripe.
   */
  async ensureCustomer(db: EntityManager, workspaceId: string, details: { name?: string; email?: string } = {}): Promise<string> {
    const account = await loadBillingAccount(db, workspaceId, { lock: true });
    if (account.stripeCustomerId) return account.stripeCustomerId;
    const customer = await this.stripe.customers.create(
      { name: details.name, email: details.email, metadata: { workspace_id: workspaceId } },
      { idempotencyKey: `brandwright-customer-${workspaceId}` },
    );
    await db.query(`UPDATE billing_accounts SET stripe_customer_id = $2, updated_at = now() WHERE workspace_id = $1`, [
      workspaceId,
      customer.id,
    ]);
    return customer.id;
  }

  /** A Stripe Checkout URL that subscribes the workspace to `planId`. */
  async createCheckoutSession(
    db: EntityManager,
    input: {
      workspaceId: string;
      planId: PlanId | string;
      successUrl: string;
      cancelUrl: string;
      customerName?: string;
      customerEmail?: string;
    },
  ): Promise<{ id: string; url: string }> {
    const plan = planById(input.planId);
    if (!plan.stripe) {
      throw new BillingException(BillingExceptionCode.PLAN_NOT_PURCHASABLE, `plan: ${plan.name} needs no checkout`, { field: 'plan' });
    }
    const customer = await this.ensureCustomer(db, input.workspaceId, { name: input.customerName, email: input.customerEmail });
    const [feePrice, creditsPrice] = await this.priceIdsFor(plan);
    const session = await this.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer,
      client_reference_id: input.workspaceId,
      line_items: [{ price: feePrice, quantity: 1 }, { price: creditsPrice }],
      subscription_data: { metadata: { workspace_id: input.workspaceId, plan: plan.id } },
      metadata: { workspace_id: input.workspaceId, plan: plan.id },
      success_url: input.successUrl,
      cancel_url: input.cancelUrl,
    });
    if (!session.url) throw new Error(`Stripe returned checkout session ${session.id} without a URL`);
    return { id: session.id, url: session.url };
  }

  /** A Customer Portal URL (payment methods, cancel, invoices). */
  async createPortalSession(db: EntityManager, input: { workspaceId: string; returnUrl: string }): Promise<{ url: string }> {
    const customer = await this.ensureCustomer(db, input.workspaceId);
    const session = await this.stripe.billingPortal.sessions.create({ customer, return_url: input.returnUrl });
    return { url: session.url };
  }

  /** The workspace's invoices, newest first (none before it has a customer). */
  async listInvoices(db: EntityManager, workspaceId: string, limit = 24): Promise<InvoiceSummary[]> {
    const account = await loadBillingAccount(db, workspaceId);
    if (!account.stripeCustomerId) return [];
    const page = await this.stripe.invoices.list({ customer: account.stripeCustomerId, limit: Math.min(Math.max(limit, 1), 100) });
    return page.data.map((inv) => ({
      id: inv.id ?? '',
      number: inv.number ?? null,
      status: inv.status ?? null,
      currency: inv.currency,
      amountDueCents: inv.amount_due,
      amountPaidCents: inv.amount_paid,
      periodStart: new Date(inv.period_start * 1000),
      periodEnd: new Date(inv.period_end * 1000),
      createdAt: new Date(inv.created * 1000),
      hostedInvoiceUrl: inv.hosted_invoice_url ?? null,
      invoicePdfUrl: inv.invoice_pdf ?? null,
    }));
  }

  private async priceIdsFor(plan: Plan): Promise<[string, string]> {
    const keys = [plan.stripe!.feeLookupKey, plan.stripe!.creditsLookupKey];
    if (keys.some((k) => !this.priceIds.has(k))) {
      const prices = await this.stripe.prices.list({ lookup_keys: keys, active: true, limit: 10 });
      for (const price of prices.data) if (price.lookup_key) this.priceIds.set(price.lookup_key, price.id);
    }
    const ids = keys.map((k) => this.priceIds.get(k));
    if (ids.some((id) => !id)) {
      throw new BillingException(
        BillingExceptionCode.STRIPE_NOT_SET_UP,
        `Stripe has no active prices ${keys.join(', ')}: run \`npm run billing:setup-stripe\` first.`,
      );
    }
    return ids as [string, string];
  }
}
