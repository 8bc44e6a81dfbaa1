import { Injectable } from '@nestjs/common';
import {
  type BillingAlert,
  type CreditStanding,
  type InvoiceSummary,
  PLANS,
  type PlanId,
  creditStanding,
  listBillingAlerts,
  markBillingAlertRead,
  setSpendCap,
} from '@brandwright/billing';
import type { Actor } from '../common/auth/actor';
import { NotFoundError, UnauthenticatedError } from '../common/errors/app-error';
import { TenantDb } from '../database/tenant-db';
import type { BillingModel, PlanModel } from './billing.model';
import { BillingStripe } from './billing-stripe';

function workspaceOf(actor: Actor): string {
  if (!actor.workspaceId) throw new UnauthenticatedError('Choose a workspace first.');
  return actor.workspaceId;
}

export function toBillingModel(s: CreditStanding): BillingModel {
  return {
    plan: s.plan,
    periodStart: s.period.start,
    periodEnd: s.period.end,
    creditsUsed: s.creditsUsed,
    creditsReserved: s.creditsReserved,
    creditLimit: s.creditLimit,
    creditsLeft: s.creditsLeft,
    overageCredits: s.overageCredits,
    spendCapCents: s.spendCapCents,
    paymentRequired: s.paymentRequired,
    subscriptionStatus: s.subscriptionStatus,
  };
}

/** The GraphQL billing surface over libs/billing, in the caller's workspace transaction. */
@Injectable()
export class BillingService {
  constructor(
    private readonly db: TenantDb,
    private readonly stripe: BillingStripe,
  ) {}

  plans(): PlanModel[] {
    return Object.values(PLANS);
  }

  standing(actor: Actor): Promise<BillingModel> {
    return this.db.tx(async (db) => toBillingModel(await creditStanding(db, workspaceOf(actor))));
  }

  setSpendCap(actor: Actor, spendCapCents: number | null): Promise<BillingModel> {
    return this.db.tx(async (db) => toBillingModel(await setSpendCap(db, workspaceOf(actor), spendCapCents)));
  }

  alerts(actor: Actor): Promise<BillingAlert[]> {
    return this.db.tx((db) => listBillingAlerts(db, workspaceOf(actor)));
  }

  async markAlertRead(actor: Actor, id: string): Promise<BillingAlert> {
    const alert = await this.db.tx((db) => markBillingAlertRead(db, workspaceOf(actor), id));
    if (!alert) throw new NotFoundError('Billing alert', id);
    return alert;
  }

  /** Stripe's invoices; none where Stripe is not set up (nothing was ever invoiced). */
  async invoices(actor: Actor, first: number): Promise<InvoiceSummary[]> {
    if (!this.stripe.client) return [];
    return this.db.tx((db) => this.stripe.gateway().listInvoices(db, workspaceOf(actor), first));
  }

  checkout(actor: Actor, plan: PlanId): Promise<{ url: string }> {
    const base = this.stripe.config.values.PUBLIC_URL;
    return this.db.tx((db) =>
      this.stripe.gateway().createCheckoutSession(db, {
        workspaceId: workspaceOf(actor),
        planId: plan,
        successUrl: `${base}/billing?checkout=success`,
        cancelUrl: `${base}/billing?checkout=cancelled`,
      }),
    );
  }

  portal(actor: Actor): Promise<{ url: string }> {
    const returnUrl = `${this.stripe.config.values.PUBLIC_URL}/billing`;
    return this.db.tx((db) => this.stripe.gateway().createPortalSession(db, { workspaceId: workspaceOf(actor), returnUrl }));
  }
}
