import { Field, ID, ObjectType } from '@nestjs/graphql';
import { ApiKeyScope } from '../common/auth/actor';

@ObjectType('ApiKey')
export class ApiKeyModel {
  @Field(() => ID)
  id: string;

  @Field()
  name: string;

  @Field({ description: 'The public part of the key (bw_<prefix>_…), to tell keys apart.' })
  prefix: string;

  @Field(() => [ApiKeyScope])
  scopes: ApiKeyScope[];

  @Field(() => [ID], { nullable: true, description: 'null: every brand of the workspace.' })
  brandIds: string[] | null;

  @Field(() => ID, { nullable: true })
  createdBy: string | null;

  @Field(() => Date, { nullable: true })
  expiresAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'To the minute.' })
  lastUsedAt: Date | null;

  @Field(() => Date, { nullable: true })
  revokedAt: Date | null;

  @Field()
  createdAt: Date;
}

@ObjectType('CreatedApiKey')
export class CreatedApiKeyModel {
  @Field(() => ApiKeyModel)
  apiKey: ApiKeyModel;

  @Field({ description: 'The whole key. Shown once: it cannot be read again.' })
  secret: string;
}
