import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { z } from 'zod';
import { WebhookEvent } from './webhook-event';
import { DeliveryStatus } from './webhook-delivery.entity';

registerEnumType(DeliveryStatus, { name: 'WebhookDeliveryStatus' });

@ObjectType('WebhookEndpoint')
export class WebhookEndpointModel {
  @Field(() => ID)
  id: string;

  @Field()
  url: string;

  @Field(() => [WebhookEvent])
  events: WebhookEvent[];

  @Field()
  description: string;

  @Field()
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  disabledAt: Date | null;
}

@ObjectType('CreatedWebhookEndpoint')
export class CreatedWebhookEndpointModel {
  @Field(() => WebhookEndpointModel)
  endpoint: WebhookEndpointModel;

  @Field({ description: 'The signing secret. Shown only now: store it to verify Brandwright-Signature.' })
  secret: string;
}

@ObjectType('WebhookDelivery')
export class WebhookDeliveryModel {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  endpointId: string;

  @Field(() => WebhookEvent)
  event: string;

  @Field(() => WebhookDeliveryStatus)
  status: DeliveryStatus;

  @Field(() => Int)
  attempts: number;

  @Field(() => Int, { nullable: true })
  lastStatusCode: number | null;

  @Field(() => String, { nullable: true })
  lastError: string | null;

  @Field({ description: 'The JSON body sent.' })
  payload: string;

  @Field()
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  deliveredAt: Date | null;
}

/** The GraphQL name of DeliveryStatus, for the field above. */
const WebhookDeliveryStatus = DeliveryStatus;

@InputType()
export class CreateWebhookEndpointInput {
  @Field()
  url: string;

  @Field(() => [WebhookEvent])
  events: WebhookEvent[];

  @Field(() => String, { nullable: true })
  description?: string | null;
}

export const createWebhookEndpointSchema = z.object({
  url: z
    .string()
    .url('must be a URL')
    .max(2000)
    .refine((u) => /^https?:$/.test(new URL(u).protocol), 'must be an http(s) URL'),
  events: z.array(z.nativeEnum(WebhookEvent)).min(1, 'must name at least one event'),
  description: z.string().max(200, 'must be at most 200 characters').optional().nullable(),
});
