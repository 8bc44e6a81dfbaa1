import { Module } from '@nestjs/common';
import { BrandsModule } from '../brands/brands.module';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { AssetsModule } from '../assets/assets.module';
import { CampaignResultsResolver } from './campaign-results.resolver';
import { GenerationResolver } from './generation.resolver';
import { GenerationService } from './generation.service';
import { JobsCoreModule } from '../jobs/jobs-core.module';

/** The api side of generation: creating, following and cancelling jobs; results on jobs and campaigns. */
@Module({
  imports: [JobsCoreModule, BrandsModule, CampaignsModule, AssetsModule],
  providers: [GenerationService, GenerationResolver, CampaignResultsResolver],
})
export class GenerationModule {}
