import { Args, ID, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { Access, BrandScoped, CurrentActor } from '../common/auth/decorators';
import { type Actor, ApiKeyScope, Role } from '../common/auth/actor';
import { ConnectionOf, PageArgs } from '../common/pagination/pagination';
import { validate } from '../common/validation/validate';
import { uuid } from '../common/validation/fields';
import { CampaignModel } from './campaign.model';
import {
  CampaignFilter,
  campaignFilterSchema,
  CreateCampaignInput,
  createCampaignSchema,
  UpdateCampaignInput,
  updateCampaignSchema,
} from './dto/campaign.inputs';
import { CampaignsService } from './campaigns.service';

@ObjectType()
export class CampaignConnection extends ConnectionOf(CampaignModel, 'CampaignConnection') {}

/** Campaigns belong to a brand: a brand-limited key may use every operation here, on its brands. */
@BrandScoped()
@Resolver(() => CampaignModel)
export class CampaignsResolver {
  constructor(private readonly service: CampaignsService) {}

  @Access(Role.VIEWER, ApiKeyScope.READ)
  @Query(() => CampaignConnection, { description: 'Campaigns, newest first.' })
  campaigns(
    @Args({ type: () => PageArgs }) page: PageArgs,
    @Args('filter', { type: () => CampaignFilter, nullable: true }) filter?: CampaignFilter,
  ): Promise<CampaignConnection> {
    return this.service.list(validate(campaignFilterSchema, filter ?? {}, 'filter'), page.first, page.after) as Promise<CampaignConnection>;
  }

  @Access(Role.VIEWER, ApiKeyScope.READ)
  @Query(() => CampaignModel)
  campaign(@Args('id', { type: () => ID }) id: string): Promise<CampaignModel> {
    return this.service.get(validate(uuid, id, 'id')) as Promise<CampaignModel>;
  }

  @Access(Role.EDITOR, ApiKeyScope.MANAGE)
  @Mutation(() => CampaignModel)
  createCampaign(@CurrentActor() actor: Actor, @Args('input') raw: CreateCampaignInput): Promise<CampaignModel> {
    return this.service.create(actor, validate(createCampaignSchema, raw)) as Promise<CampaignModel>;
  }

  @Access(Role.EDITOR, ApiKeyScope.MANAGE)
  @Mutation(() => CampaignModel, { description: 'Changes only the fields given.' })
  updateCampaign(@Args('input') raw: UpdateCampaignInput): Promise<CampaignModel> {
    const { id, ...changes } = validate(updateCampaignSchema, raw);
    return this.service.update(id, changes) as Promise<CampaignModel>;
  }

  @Access(Role.EDITOR, ApiKeyScope.MANAGE)
  @Mutation(() => CampaignModel)
  deleteCampaign(@Args('id', { type: () => ID }) id: string): Promise<CampaignModel> {
    return this.service.remove(validate(uuid, id, 'id')) as Promise<CampaignModel>;
  }
}
