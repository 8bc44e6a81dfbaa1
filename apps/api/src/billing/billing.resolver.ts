import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { PlanId } from '@brandwright/billing';
import { type Actor, ApiKeyScope, Role } from '../common/auth/actor';
import { Access, CurrentActor } from '../common/auth/decorators';
import { BillingAlertModel, BillingModel, BillingRedirectModel, InvoiceModel, PlanModel } from './billing.model';
import { BillingService } from './billing.service';

@Resolver()
export class BillingResolver {
  constructor(private readonly service: BillingService) {}

  @Access(Role.VIEWER, ApiKeyScope.READ)
  @Query(() => BillingModel, { description: 'The plan, this period’s credits (used, held, left), spend cap and payment state.' })
  billing(@CurrentActor() actor: Actor): Promise<BillingModel> {
    return this.service.standing(actor);
  }

  @Access(Role.VIEWER, ApiKeyScope.READ)
  @Query(() => [PlanModel], { description: 'Every plan, to compare and upgrade.' })
  plans(): PlanModel[] {
    return this.service.plans();
  }

  @Access(Role.VIEWER, ApiKeyScope.READ)
  @Query(() => [InvoiceModel], { description: 'Stripe invoices, newest first.' })
  invoices(@CurrentActor() actor: Actor, @Args('first', { type: () => Int, defaultValue: 24 }) first: number): Promise<InvoiceModel[]> {
    return this.service.invoices(actor, first);
  }

  @Access(Role.VIEWER, ApiKeyScope.READ)
  @Query(() => [BillingAlertModel], { description: 'Credit alerts (80 %, 100 %), newest first.' })
  billingAlerts(@CurrentActor() actor: Actor): Promise<BillingAlertModel[]> {
    return this.service.alerts(actor);
  }

  @Access(Role.VIEWER, ApiKeyScope.READ)
  @Mutation(() => BillingAlertModel)
  markBillingAlertRead(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string): Promise<BillingAlertModel> {
    return this.service.markAlertRead(actor, id);
  }

  @Access(Role.ADMIN, ApiKeyScope.MANAGE)
  @Mutation(() => BillingRedirectModel, { description: 'A Stripe Checkout page that subscribes the workspace to `plan`.' })
  createCheckoutSession(@CurrentActor() actor: Actor, @Args('plan', { type: () => PlanId }) plan: PlanId): Promise<BillingRedirectModel> {
    return this.service.checkout(actor, plan);
  }

  @Access(Role.ADMIN, ApiKeyScope.MANAGE)
  @Mutation(() => BillingRedirectModel, { description: 'The Stripe Customer Portal (payment method, cancel, invoices).' })
  createBillingPortalSession(@CurrentActor() actor: Actor): Promise<BillingRedirectModel> {
    return this.service.portal(actor);
  }

  @Access(Role.ADMIN, ApiKeyScope.MANAGE)
  @Mutation(() => BillingModel, { description: 'Most overage spend per period in cents; null removes the cap.' })
  setSpendCap(
    @CurrentActor() actor: Actor,
    @Args('spendCapCents', { type: () => Int, nullable: true }) spendCapCents: number | null,
  ): Promise<BillingModel> {
    return this.service.setSpendCap(actor, spendCapCents ?? null);
  }
}
