import { Field, ID, InputType } from '@nestjs/graphql';
import { z } from 'zod';
import { name, text, uuid } from '../../common/validation/fields';
import { CampaignObjective, CampaignStatus } from '../campaign.entity';
import { Channel } from '../channel';

@InputType()
export class CreateCampaignInput {
  @Field(() => ID)
  brandId: string;

  @Field()
  name: string;

  @Field(() => CampaignObjective)
  objective: CampaignObjective;

  @Field(() => [Channel], { nullable: true })
  channels?: Channel[];

  @Field({ nullable: true })
  brief?: string;
}

@InputType()
export class UpdateCampaignInput {
  @Field(() => ID)
  id: string;

  @Field({ nullable: true })
  name?: string;

  @Field(() => CampaignObjective, { nullable: true })
  objective?: CampaignObjective;

  @Field(() => [Channel], { nullable: true })
  channels?: Channel[];

  @Field({ nullable: true })
  brief?: string;

  @Field(() => CampaignStatus, { nullable: true })
  status?: CampaignStatus;
}

@InputType()
export class CampaignFilter {
  @Field(() => ID, { nullable: true })
  brandId?: string;

  @Field(() => CampaignStatus, { nullable: true })
  status?: CampaignStatus;
}

const channels = z
  .array(z.nativeEnum(Channel))
  .max(Object.keys(Channel).length)
  .transform((list) => [...new Set(list)]);

export const createCampaignSchema = z.object({
  brandId: uuid,
  name: name(120),
  objective: z.nativeEnum(CampaignObjective),
  channels: channels.optional(),
  brief: text(4000).optional(),
});

export const updateCampaignSchema = z.object({
  id: uuid,
  name: name(120).optional(),
  objective: z.nativeEnum(CampaignObjective).optional(),
  channels: channels.optional(),
  brief: text(4000).optional(),
  status: z.nativeEnum(CampaignStatus).optional(),
});

export const campaignFilterSchema = z.object({ brandId: uuid.optional(), status: z.nativeEnum(CampaignStatus).optional() });
