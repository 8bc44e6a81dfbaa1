import { Args, ID, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { Access, CurrentActor } from '../common/auth/decorators';
import { type Actor, ApiKeyScope, Role } from '../common/auth/actor';
import { ConnectionOf, PageArgs } from '../common/pagination/pagination';
import { validate } from '../common/validation/validate';
import { uuid } from '../common/validation/fields';
import type { WebhookDeliveryEntity } from './webhook-delivery.entity';
import {
  CreatedWebhookEndpointModel,
  CreateWebhookEndpointInput,
  createWebhookEndpointSchema,
  WebhookDeliveryModel,
  WebhookEndpointModel,
} from './webhook.model';
import { WebhooksService } from './webhooks.service';

@ObjectType()
export class WebhookDeliveryConnection extends ConnectionOf(WebhookDeliveryModel, 'WebhookDeliveryConnection') {}

const toDelivery = (d: WebhookDeliveryEntity): WebhookDeliveryModel => ({ ...d, payload: JSON.stringify(d.payload) });

@Resolver(() => WebhookEndpointModel)
export class WebhooksResolver {
  constructor(private readonly service: WebhooksService) {}

  @Access(Role.ADMIN, ApiKeyScope.MANAGE)
  @Mutation(() => CreatedWebhookEndpointModel, { description: 'Registers an endpoint; the signing secret is in the answer, once.' })
  createWebhookEndpoint(
    @CurrentActor() actor: Actor,
    @Args('input') raw: CreateWebhookEndpointInput,
  ): Promise<CreatedWebhookEndpointModel> {
    return this.service.create(actor.workspaceId!, validate(createWebhookEndpointSchema, raw)) as Promise<CreatedWebhookEndpointModel>;
  }

  @Access(Role.ADMIN, ApiKeyScope.MANAGE)
  @Query(() => [WebhookEndpointModel])
  webhookEndpoints(): Promise<WebhookEndpointModel[]> {
    return this.service.list() as Promise<WebhookEndpointModel[]>;
  }

  @Access(Role.ADMIN, ApiKeyScope.MANAGE)
  @Mutation(() => WebhookEndpointModel)
  deleteWebhookEndpoint(@Args('id', { type: () => ID }) id: string): Promise<WebhookEndpointModel> {
    return this.service.remove(validate(uuid, id, 'id')) as Promise<WebhookEndpointModel>;
  }

  @Access(Role.ADMIN, ApiKeyScope.MANAGE)
  @Query(() => WebhookDeliveryConnection, { description: 'Deliveries, newest first, with each one’s latest attempt.' })
  async webhookDeliveries(
    @Args({ type: () => PageArgs }) page: PageArgs,
    @Args('endpointId', { type: () => ID, nullable: true }) endpointId?: string,
  ): Promise<WebhookDeliveryConnection> {
    const result = await this.service.deliveries(
      { endpointId: endpointId ? validate(uuid, endpointId, 'endpointId') : undefined },
      page.first,
      page.after,
    );
    return { nodes: result.nodes.map(toDelivery), pageInfo: result.pageInfo };
  }
}
