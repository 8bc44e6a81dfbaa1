import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { CampaignObjective, CampaignStatus } from './campaign.entity';
import { Channel } from './channel';

registerEnumType(CampaignObjective, { name: 'CampaignObjective' });
registerEnumType(CampaignStatus, { name: 'CampaignStatus' });

@ObjectType('Campaign')
export class CampaignModel {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  brandId: string;

  @Field()
  name: string;

  @Field(() => CampaignObjective)
  objective: CampaignObjective;

  @Field(() => [Channel])
  channels: Channel[];

  @Field()
  brief: string;

  @Field(() => CampaignStatus)
  status: CampaignStatus;

  @Field()
  createdAt: Date;

  @Field()
  updatedAt: Date;
}
