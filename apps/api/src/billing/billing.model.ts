import { Field, Float, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { BillingAlertKind, PlanId } from '@brandwright/billing';

registerEnumType(PlanId, { name: 'PlanId', description: 'FREE: monthly credits, hard cap. PRO, AGENCY: included credits, then overage.' });
registerEnumType(BillingAlertKind, { name: 'BillingAlertKind', description: 'Credits used reached 80 % or 100 % of the period’s limit.' });

@ObjectType('Plan')
export class PlanModel {
  @Field(() => PlanId)
  id: PlanId;

  @Field()
  name: string;

  @Field(() => Int, { description: 'Credits included each billing period.' })
  includedCredits: number;

  @Field({ description: 'Whether usage past the included credits is billed (false: it is refused).' })
  overageAllowed: boolean;

  @Field(() => Float)
  overageCentsPerCredit: number;

  @Field(() => Int)
  monthlyFeeCents: number;

  @Field(() => Int)
  seats: number;

  @Field(() => Int, { description: 'Generation calls (generateCopy, generateAdImages) a minute, per workspace and per API key.' })
  rateLimitPerMinute: number;

  @Field(() => Int, { description: 'Queue priority of generation jobs (lower runs first).' })
  queuePriority: number;
}

@ObjectType('Billing', { description: 'Where the workspace stands this billing period.' })
export class BillingModel {
  @Field(() => PlanModel)
  plan: PlanModel;

  @Field(() => GraphQLISODateTime)
  periodStart: Date;

  @Field(() => GraphQLISODateTime)
  periodEnd: Date;

  @Field(() => Int)
  creditsUsed: number;

  @Field(() => Int, { description: 'Held by queued or running jobs.' })
  creditsReserved: number;

  @Field(() => Int, { nullable: true, description: 'null: no limit (a paid plan without a spend cap).' })
  creditLimit: number | null;

  @Field(() => Int, { nullable: true, description: 'null: no limit.' })
  creditsLeft: number | null;

  @Field(() => Int)
  overageCredits: number;

  @Field(() => Int, { nullable: true, description: 'Most overage spend per period, in cents; null: no cap.' })
  spendCapCents: number | null;

  @Field({ description: 'A payment failed: generation is refused until it is paid.' })
  paymentRequired: boolean;

  @Field(() => String, { nullable: true })
  subscriptionStatus: string | null;
}

@ObjectType('Invoice')
export class InvoiceModel {
  @Field(() => ID)
  id: string;

  @Field(() => String, { nullable: true })
  number: string | null;

  @Field(() => String, { nullable: true })
  status: string | null;

  @Field()
  currency: string;

  @Field(() => Int)
  amountDueCents: number;

  @Field(() => Int)
  amountPaidCents: number;

  @Field(() => GraphQLISODateTime)
  periodStart: Date;

  @Field(() => GraphQLISODateTime)
  periodEnd: Date;

  @Field(() => GraphQLISODateTime)
  createdAt: Date;

  @Field(() => String, { nullable: true })
  hostedInvoiceUrl: string | null;

  @Field(() => String, { nullable: true })
  invoicePdfUrl: string | null;
}

@ObjectType('BillingAlert')
export class BillingAlertModel {
  @Field(() => ID)
  id: string;

  @Field(() => BillingAlertKind)
  kind: BillingAlertKind;

  @Field(() => GraphQLISODateTime)
  periodStart: Date;

  @Field(() => Int)
  creditsUsed: number;

  @Field(() => Int)
  creditLimit: number;

  @Field(() => GraphQLISODateTime)
  createdAt: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  readAt: Date | null;
}

@ObjectType('BillingRedirect', { description: 'A Stripe-hosted page to send the user to.' })
export class BillingRedirectModel {
  @Field()
  url: string;
}
