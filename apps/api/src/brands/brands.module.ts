import { Module } from '@nestjs/common';
import { BrandsResolver } from './brands.resolver';
import { BrandsService } from './brands.service';
import { BrandLogoController } from './brand-logo.controller';

@Module({ providers: [BrandsService, BrandsResolver], controllers: [BrandLogoController], exports: [BrandsService] })
export class BrandsModule {}
