import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GraphQLISODateTime } from '@nestjs/graphql';
import { Meter } from '@brandwright/billing';

registerEnumType(Meter, { name: 'Meter', description: 'What usage is counted in: text tokens (prompt, output) and images by size.' });

@ObjectType('MeterUsage')
export class MeterUsageModel {
  @Field(() => Meter)
  meter: Meter;

  @Field(() => Int, { description: 'Tokens or images.' })
  quantity: number;

  @Field(() => Int)
  credits: number;
}

@ObjectType('DailyMeterUsage')
export class DailyMeterUsageModel extends MeterUsageModel {
  @Field({ description: 'The UTC day, YYYY-MM-DD.' })
  day: string;
}

@ObjectType('Usage', { description: 'Settled usage in [from, to).' })
export class UsageModel {
  @Field(() => GraphQLISODateTime)
  from: Date;

  @Field(() => GraphQLISODateTime)
  to: Date;

  @Field(() => Int)
  totalCredits: number;

  @Field(() => [MeterUsageModel])
  byMeter: MeterUsageModel[];

  @Field(() => [DailyMeterUsageModel])
  byDay: DailyMeterUsageModel[];
}
