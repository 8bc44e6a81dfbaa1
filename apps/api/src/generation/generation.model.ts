import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { JobKind, JobStatus } from './generation-job.entity';
import { VariantStatus } from './copy-variant.entity';
import { Channel } from '../campaigns/channel';

registerEnumType(JobKind, { name: 'JobKind' });
registerEnumType(JobStatus, { name: 'JobStatus', description: 'QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED.' });
registerEnumType(VariantStatus, { name: 'VariantStatus' });

@ObjectType('GenerationJob')
export class GenerationJobModel {
  @Field(() => ID)
  id: string;

  @Field(() => JobKind)
  kind: JobKind;

  @Field(() => JobStatus)
  status: JobStatus;

  @Field(() => Float, { description: '0..1' })
  progress: number;

  @Field(() => ID)
  brandId: string;

  @Field(() => ID, { nullable: true })
  campaignId: string | null;

  @Field(() => String, { nullable: true })
  idempotencyKey: string | null;

  @Field(() => Int, { description: 'Runs so far (more than one after a worker was lost or a retry).' })
  attempts: number;

  @Field(() => String, { nullable: true })
  errorCode: string | null;

  @Field(() => String, { nullable: true })
  errorMessage: string | null;

  @Field(() => String, { nullable: true })
  modelId: string | null;

  @Field({ description: 'Made by a random-weight demo model: not real output.' })
  isDemo: boolean;

  @Field()
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  startedAt: Date | null;

  @Field(() => Date, { nullable: true })
  finishedAt: Date | null;
}

@ObjectType('VoiceCheck')
export class VoiceCheckModel {
  @Field()
  rule: string;

  @Field()
  passed: boolean;

  @Field()
  detail: string;
}

@ObjectType('VoiceReport')
export class VoiceReportModel {
  @Field(() => Int)
  characters: number;

  @Field(() => Int)
  maxChars: number;

  @Field(() => [String])
  requiredTermsMissing: string[];

  @Field(() => [String])
  bannedTermsFound: string[];

  @Field(() => Float)
  readingGrade: number;

  @Field(() => [VoiceCheckModel])
  checks: VoiceCheckModel[];

  @Field(() => Float, { description: '0–100; higher is more on-voice.' })
  score: number;

  @Field(() => [String], {
    nullable: true,
    description: "The brand's example copy left out of the prompt so it fit the model's context, longest first.",
  })
  examplesDropped?: string[];

  @Field(() => [String], {
    nullable: true,
    description: 'Soft voice lines told in fewer words so the prompt fit: description, tone, preferred_terms, audience.',
  })
  voiceLinesShortened?: string[];
}

@ObjectType('CopyVariant')
export class CopyVariantModel {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  jobId: string;

  @Field(() => ID)
  brandId: string;

  @Field(() => ID, { nullable: true })
  campaignId: string | null;

  @Field(() => Channel)
  channel: string;

  @Field(() => Int, { description: '0 = best voice score.' })
  rank: number;

  @Field()
  text: string;

  @Field(() => Float)
  seed: number;

  @Field(() => VoiceReportModel)
  voiceReport: VoiceReportModel;

  @Field(() => VariantStatus)
  status: VariantStatus;

  @Field()
  createdAt: Date;
}

@ObjectType('GenerationToken')
export class GenerationTokenModel {
  @Field(() => Int, { description: 'Which variant stream (0-based).' })
  variant: number;

  @Field(() => Int, { description: 'The token’s position in that stream.' })
  index: number;

  @Field()
  text: string;
}

@ObjectType('GenerationUpdate')
export class GenerationUpdateModel {
  @Field(() => ID)
  jobId: string;

  @Field(() => JobStatus)
  status: JobStatus;

  @Field(() => Float)
  progress: number;

  @Field(() => GenerationTokenModel, { nullable: true })
  token: GenerationTokenModel | null;

  @Field(() => String, { nullable: true })
  errorCode: string | null;

  @Field(() => String, { nullable: true })
  errorMessage: string | null;
}
