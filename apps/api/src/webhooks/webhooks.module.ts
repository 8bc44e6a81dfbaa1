import { Module } from '@nestjs/common';
import { JobsCoreModule } from '../jobs/jobs-core.module';
import { WebhooksResolver } from './webhooks.resolver';
import { WebhooksService } from './webhooks.service';

/** Client webhooks: endpoints and deliveries (the delivery worker lives in the worker runtime). */
@Module({ imports: [JobsCoreModule], providers: [WebhooksService, WebhooksResolver] })
export class WebhooksModule {}
