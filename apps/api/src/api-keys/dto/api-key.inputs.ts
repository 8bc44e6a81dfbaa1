import { Field, ID, InputType } from '@nestjs/graphql';
import { z } from 'zod';
import { ApiKeyScope } from '../../common/auth/actor';
import { name, uuid } from '../../common/validation/fields';

@InputType()
export class CreateApiKeyInput {
  @Field()
  name: string;

  @Field(() => [ApiKeyScope])
  scopes: ApiKeyScope[];

  @Field(() => [ID], { nullable: true, description: 'Limit the key to these brands; omit for all.' })
  brandIds?: string[] | null;

  @Field(() => Date, { nullable: true })
  expiresAt?: Date | null;
}

export const createApiKeySchema = z.object({
  name: name(80),
  scopes: z.array(z.nativeEnum(ApiKeyScope)).min(1, 'must name at least one scope'),
  brandIds: z.array(uuid).max(200).nullable().optional(),
  expiresAt: z.date().nullable().optional(),
});
