import { Module } from '@nestjs/common';
import { JobsCoreModule } from '../jobs/jobs-core.module';
import { WebhooksResolver } from './webhooks.resolver';
import { WebhooksService } from './webhooks.service';

/** Client webhooks in the api: endpoints and their deliveries (the delivery job's handler is in webhooks-worker.module.ts). */
@Module({ imports: [JobsCoreModule], providers: [WebhooksService, WebhooksResolver] })
export class WebhooksModule {}
