import { Module } from '@nestjs/common';
import { JobsCoreModule } from '../jobs/jobs-core.module';
import { AssetsController } from './assets.controller';
import { AssetsService } from './assets.service';

@Module({ imports: [JobsCoreModule], providers: [AssetsService], controllers: [AssetsController], exports: [AssetsService] })
export class AssetsModule {}
