import { Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Access, CurrentActor } from '../common/auth/decorators';
import { type Actor, ApiKeyScope, Role } from '../common/auth/actor';
import { CampaignModel } from '../campaigns/campaign.model';
import { AssetModel } from '../assets/asset.model';
import { AssetsService } from '../assets/assets.service';
import { CopyVariantModel } from './generation.model';
import { GenerationService } from './generation.service';

/** A campaign's copy variants and image assets (from every job run for it). */
@Resolver(() => CampaignModel)
export class CampaignResultsResolver {
  constructor(
    private readonly generation: GenerationService,
    private readonly assetFiles: AssetsService,
  ) {}

  @Access(Role.VIEWER, ApiKeyScope.READ)
  @ResolveField(() => [CopyVariantModel], { description: 'Newest job first, best variant first within a job (at most 500).' })
  variants(@CurrentActor() actor: Actor, @Parent() campaign: CampaignModel): Promise<CopyVariantModel[]> {
    return this.generation.variantsOfCampaign(actor, campaign.id);
  }

  @Access(Role.VIEWER, ApiKeyScope.READ)
  @ResolveField(() => [AssetModel], { description: 'Every file of every creative made for this campaign (at most 1000).' })
  assets(@CurrentActor() actor: Actor, @Parent() campaign: CampaignModel): Promise<AssetModel[]> {
    return this.assetFiles.list(actor, { campaignId: campaign.id });
  }
}
