import { Module } from '@nestjs/common';
import { JobsCoreModule } from '../jobs/jobs-core.module';
import { DeliverWebhookHandler } from './deliver-webhook.handler';

/** Client webhooks in the worker: the delivery job's handler. */
@Module({ imports: [JobsCoreModule], providers: [DeliverWebhookHandler] })
export class WebhooksWorkerModule {}
