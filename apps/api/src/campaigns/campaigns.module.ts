import { Module } from '@nestjs/common';
import { BrandsModule } from '../brands/brands.module';
import { CampaignsResolver } from './campaigns.resolver';
import { CampaignsService } from './campaigns.service';

@Module({ imports: [BrandsModule], providers: [CampaignsService, CampaignsResolver], exports: [CampaignsService] })
export class CampaignsModule {}
