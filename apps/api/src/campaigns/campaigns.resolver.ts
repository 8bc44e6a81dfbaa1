import { Args, ID, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { Access, CurrentActor } from '../common/auth/decorators';
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

@Resolver(() => CampaignModel)
export class CampaignsResolver {
  constructor(private readonly service: CampaignsService) {}

  @Access(Role.VIEWER, ApiKeyScope.READ)
  @Query(() => CampaignConnection, { description: 'Campaigns, newest first.' })
  campaigns(
    @CurrentActor() actor: Actor,
    @Args({ type: () => PageArgs }) page: PageArgs,
    @Args('filter', { type: () => CampaignFilter, nullable: true }) filter?: CampaignFilter,
  ): Promise<CampaignConnection> {
    return this.service.list(
      actor,
      validate(campaignFilterSchema, filter ?? {}, 'filter'),
      page.first,
      page.after,
    ) as Promise<CampaignConnection>;
  }

  @Access(Role.VIEWER, ApiKeyScope.READ)
  @Query(() => CampaignModel)
  campaign(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string): Promise<CampaignModel> {
    return this.service.get(actor, validate(uuid, id, 'id')) as Promise<CampaignModel>;
  }

  @Access(Role.EDITOR, ApiKeyScope.MANAGE)
  @Mutation(() => CampaignModel)
  createCampaign(@CurrentActor() actor: Actor, @Args('input') raw: CreateCampaignInput): Promise<CampaignModel> {
    return this.service.create(actor, validate(createCampaignSchema, raw)) as Promise<CampaignModel>;
  }

  @Access(Role.EDITOR, ApiKeyScope.MANAGE)
  @Mutation(() => CampaignModel, { description: 'Changes only the fields given.' })
  updateCampaign(@CurrentActor() actor: Actor, @Args('input') raw: UpdateCampaignInput): Promise<CampaignModel> {
    const { id, ...changes } = validate(updateCampaignSchema, raw);
    return this.service.update(actor, id, changes) as Promise<CampaignModel>;
  }

  @Access(Role.EDITOR, ApiKeyScope.MANAGE)
  @Mutation(() => CampaignModel)
  deleteCampaign(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string): Promise<CampaignModel> {
    return this.service.remove(actor, validate(uuid, id, 'id')) as Promise<CampaignModel>;
  }
}
