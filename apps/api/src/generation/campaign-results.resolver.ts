import { Args, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Access, BrandScoped } from '../common/auth/decorators';
import { ApiKeyScope, Role } from '../common/auth/actor';
import { CampaignModel } from '../campaigns/campaign.model';
import { AssetModel } from '../assets/asset.model';
import { AssetsService } from '../assets/assets.service';
import { CopyVariantModel } from './generation.model';
import { GenerationService } from './generation.service';

/** A campaign's copy variants and image assets (from every job run for it). */
@BrandScoped()
@Resolver(() => CampaignModel)
export class CampaignResultsResolver {
  constructor(
    private readonly generation: GenerationService,
    private readonly assetFiles: AssetsService,
  ) {}

  @Access(Role.VIEWER, ApiKeyScope.READ)
  @ResolveField(() => [CopyVariantModel], { description: 'Newest job first, best variant first within a job (at most 500).' })
  variants(
    @Parent() campaign: CampaignModel,
    @Args('approvedOnly', {
      defaultValue: false,
      description: 'Only variants whose current text is the version that was approved.',
    })
    approvedOnly: boolean,
  ): Promise<CopyVariantModel[]> {
    return this.generation.variantsOfCampaign(campaign.id, approvedOnly);
  }

  @Access(Role.VIEWER, ApiKeyScope.READ)
  @ResolveField(() => [AssetModel], { description: 'Every file of every creative made for this campaign (at most 1000).' })
  assets(@Parent() campaign: CampaignModel): Promise<AssetModel[]> {
    return this.assetFiles.list({ campaignId: campaign.id });
  }
}
