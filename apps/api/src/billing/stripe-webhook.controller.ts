import {
  BadRequestException,
  Controller,
  Headers,
  HttpCode,
  type RawBodyRequest,
  Post,
  Req,
  ServiceUnavailableException,
} from '@nestjs/common';
import { StripeWebhookHandler, type WebhookOutcome } from '@brandwright/billing';
import type { FastifyRequest } from 'fastify';
import { Public } from '../common/auth/decorators';
import { TenantDb } from '../database/tenant-db';
import { BillingStripe } from './billing-stripe';
import { AuditService } from '../audit/audit.service';

/** POST /webhooks/stripe: verified on the raw body (the app is created with rawBody: true). */
@Controller('webhooks')
export class StripeWebhookController {
  private readonly handler: StripeWebhookHandler | null;

  constructor(
    db: TenantDb,
    stripe: BillingStripe,
    private readonly audit: AuditService,
  ) {
    const secret = stripe.config.values.STRIPE_WEBHOOK_SECRET;
    this.handler = stripe.client && secret ? new StripeWebhookHandler(db, stripe.client, secret) : null;
  }

  @Public()
  @Post('stripe')
  @HttpCode(200)
  async receive(@Req() req: RawBodyRequest<FastifyRequest>, @Headers('stripe-signature') signature?: string): Promise<WebhookOutcome> {
    if (!this.handler)
      throw new ServiceUnavailableException('Stripe webhooks are not configured (STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET).');
    if (!req.rawBody) throw new BadRequestException('Expected a JSON body.');
    // A bad or stale signature is a BillingException (BAD_USER_INPUT): the error filter answers
    // 400, so Stripe shows the failure; nothing was stored.
    const outcome = await this.handler.handle(req.rawBody, signature);
    // A plan, subscription or payment-state change Stripe made: audited as the system's doing.
    if (outcome.result === 'applied') {
      await this.audit.recordSystem(
        outcome.workspaceId,
        `stripe.${outcome.type}`,
        { entityType: 'StripeEvent', entityId: outcome.eventId },
        String(req.id),
      );
    }
    return outcome;
  }
}
