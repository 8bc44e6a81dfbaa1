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
  @Field({ description: 'A stable id for programs (e.g. required_terms); show `label` to people.' })
  rule: string;

  @Field({
    nullable: true,
    description: 'A hard rule: breaking it makes the variant failing. Absent on reports stored before hard rules were marked.',
  })
  hard?: boolean;

  @Field()
  passed: boolean;

  @Field({ nullable: true, description: 'What the check found, in the product’s words (e.g. "Missing required term: Ridgeline").' })
  label?: string;

  @Field()
  detail: string;
}

@ObjectType('VoiceAction')
export class VoiceActionModel {
  @Field({ description: 'The rule the engine acted for (or prompt / retries).' })
  rule: string;

  @Field({ description: 'What the engine did, e.g. "Blocked 12 tokens that would add an exclamation mark".' })
  label: string;
}

@ObjectType('VoiceMemorisation')
export class VoiceMemorisationModel {
  @Field(() => Int, { description: 'Words in the longest run the variant shares with one of the brand’s samples.' })
  longestSharedWords: number;

  @Field({ description: 'That run, as it stands in the variant.' })
  longestShared: string;

  @Field(() => Float, { description: 'Share of the variant’s words inside runs of 4+ words found in a sample, 0–1.' })
  overlap: number;

  @Field({ description: 'The variant reads as copied from a sample.' })
  copied: boolean;
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

  @Field(() => Float, { description: '0–100; higher is more on-voice. Below 70 (the good band) whenever a hard rule fails.' })
  score: number;

  @Field({ nullable: true, description: 'Every hard rule of the voice holds.' })
  hardRulesPassed?: boolean;

  @Field(() => Float, { nullable: true, description: 'Words per sentence, on average.' })
  sentenceLength?: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Voice similarity to the brand’s samples, 0–1: char n-gram TF-IDF cosine and stylometric closeness (docs/brand-voice.md).',
  })
  similarity?: number | null;

  @Field(() => VoiceMemorisationModel, { nullable: true, description: 'What the variant shares word for word with the brand’s samples.' })
  memorisation?: VoiceMemorisationModel | null;

  @Field(() => [VoiceActionModel], {
    nullable: true,
    description: 'What the engine did to hold the voice: tokens vetoed per rule, terms forced, case rewritten, examples dropped.',
  })
  actions?: VoiceActionModel[];

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

  @Field({ description: 'Every hard rule of the voice holds. A failing variant needs a reason to be approved.' })
  passesHardRules: boolean;

  @Field(() => String, { nullable: true, description: 'Why a failing variant was approved anyway.' })
  approvalReason: string | null;

  @Field({ description: 'SHA-256 (hex) of the current text.' })
  contentHash: string;

  @Field(() => Int, { description: '1, plus one for every edit of the text.' })
  version: number;

  @Field(() => String, { nullable: true, description: 'The content hash the latest approval was given to.' })
  approvedHash: string | null;

  @Field(() => Date, { nullable: true })
  approvedAt: Date | null;

  @Field(() => ID, { nullable: true, description: 'The member who approved it.' })
  approvedBy: string | null;

  @Field({ description: 'The text changed after the latest approval: that approval no longer covers it.' })
  approvalSuperseded: boolean;

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
