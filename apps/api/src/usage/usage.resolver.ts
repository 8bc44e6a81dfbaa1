import { Args, GraphQLISODateTime, Query, Resolver } from '@nestjs/graphql';
import { BillingException, BillingExceptionCode, billingPeriod, loadBillingAccount, usageByDay, usageByMeter } from '@brandwright/billing';
import { type Actor, ApiKeyScope, Role } from '../common/auth/actor';
import { Access, CurrentActor } from '../common/auth/decorators';
import { UnauthenticatedError } from '../common/errors/app-error';
import { TenantDb } from '../database/tenant-db';
import { UsageModel } from './usage.model';

const MAX_WINDOW_DAYS = 400;

@Resolver()
export class UsageResolver {
  constructor(private readonly db: TenantDb) {}

  @Access(Role.VIEWER, ApiKeyScope.READ)
  @Query(() => UsageModel, { description: 'Usage by meter and by day; defaults to the current billing period.' })
  usage(
    @CurrentActor() actor: Actor,
    @Args('from', { type: () => GraphQLISODateTime, nullable: true }) from?: Date | null,
    @Args('to', { type: () => GraphQLISODateTime, nullable: true }) to?: Date | null,
  ): Promise<UsageModel> {
    const workspaceId = actor.workspaceId;
    if (!workspaceId) throw new UnauthenticatedError('Choose a workspace first.');
    return this.db.tx(async (db) => {
      const period = billingPeriod(await loadBillingAccount(db, workspaceId));
      const window = { from: from ?? period.start, to: to ?? period.end };
      if (window.to <= window.from || window.to.getTime() - window.from.getTime() > MAX_WINDOW_DAYS * 86_400_000) {
        throw new BillingException(BillingExceptionCode.INVALID_USAGE, `to: must be after from, at most ${MAX_WINDOW_DAYS} days later`, {
          field: 'to',
        });
      }
      const byMeter = await usageByMeter(db, workspaceId, window);
      return {
        ...window,
        totalCredits: byMeter.reduce((sum, m) => sum + m.credits, 0),
        byMeter,
        byDay: await usageByDay(db, workspaceId, window),
      };
    });
  }
}
