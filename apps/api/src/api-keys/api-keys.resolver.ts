import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Access, CurrentActor } from '../common/auth/decorators';
import { type Actor, ApiKeyScope, Role, roleAtLeast } from '../common/auth/actor';
import { ForbiddenError } from '../common/errors/app-error';
import { validate } from '../common/validation/validate';
import { uuid } from '../common/validation/fields';
import { ApiKeyModel, CreatedApiKeyModel } from './api-key.model';
import { ApiKeysService } from './api-keys.service';
import { CreateApiKeyInput, createApiKeySchema } from './dto/api-key.inputs';

@Resolver(() => ApiKeyModel)
export class ApiKeysResolver {
  constructor(private readonly service: ApiKeysService) {}

  @Access(Role.VIEWER, ApiKeyScope.MANAGE)
  @Query(() => [ApiKeyModel], { description: 'The workspace’s API keys, revoked ones included. Secrets are never shown.' })
  apiKeys(): Promise<ApiKeyModel[]> {
    return this.service.list();
  }

  @Access(Role.EDITOR, ApiKeyScope.MANAGE)
  @Mutation(() => CreatedApiKeyModel, { description: 'A key can hold only scopes its creator’s role allows.' })
  async createApiKey(@CurrentActor() actor: Actor, @Args('input') raw: CreateApiKeyInput): Promise<CreatedApiKeyModel> {
    const input = validate(createApiKeySchema, raw);
    const { key, plaintext } = await this.service.create(actor, {
      name: input.name,
      scopes: input.scopes,
      brandIds: input.brandIds ?? null,
      expiresAt: input.expiresAt ?? null,
    });
    return { apiKey: key, secret: plaintext };
  }

  @Access(Role.EDITOR, ApiKeyScope.MANAGE)
  @Mutation(() => ApiKeyModel, { description: 'Revokes a key at once. Its creator or an ADMIN.' })
  async revokeApiKey(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string): Promise<ApiKeyModel> {
    validate(uuid, id, 'id');
    if (actor.kind === 'user' && !roleAtLeast(actor.role!, Role.ADMIN)) {
      const mine = (await this.service.list()).find((k) => k.id === id);
      if (mine && mine.createdBy !== actor.userId) throw new ForbiddenError('Only its creator or an ADMIN can revoke this key.');
    }
    return this.service.revoke(id);
  }
}
