import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { z } from 'zod';
import { AD_FORMAT_IDS, CHANNEL_IDS } from '@brandwright/generation';
import { Channel } from '../../campaigns/channel';
import { AdFormat } from '../../assets/asset.model';
import { JobKind, JobStatus } from '../generation-job.entity';
import { uuid } from '../../common/validation/fields';

const idempotencyKey = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional().nullable();
const seed = z
  .number()
  .int('must be a whole number')
  .min(0)
  .max(2 ** 31 - 1)
  .optional()
  .nullable();

@InputType()
export class GenerateCopyInput {
  @Field(() => ID)
  brandId: string;

  @Field(() => ID, { nullable: true })
  campaignId?: string | null;

  @Field(() => Channel)
  channel: string;

  @Field({ description: 'What the copy is about.' })
  brief: string;

  @Field(() => Int, { nullable: true, description: 'Distinct variants to write (default 3).' })
  variants?: number | null;

  @Field(() => String, { nullable: true, description: 'BCP 47 language tag (default "en").' })
  language?: string | null;

  @Field(() => Int, { nullable: true, description: 'Same seed, same model, same request → same copy.' })
  seed?: number | null;

  @Field(() => String, { nullable: true, description: 'Repeat a request with the same key to get the first job back, not a second job.' })
  idempotencyKey?: string | null;
}

export const generateCopySchema = (maxVariants: number) =>
  z.object({
    brandId: uuid,
    campaignId: uuid.optional().nullable(),
    channel: z.enum(CHANNEL_IDS as [string, ...string[]], { message: 'is not a supported channel' }),
    brief: z.string().trim().min(1, 'must not be empty').max(2000, 'must be at most 2000 characters'),
    variants: z.number().int().min(1, 'must be at least 1').max(maxVariants, `must be at most ${maxVariants}`).optional().nullable(),
    language: z
      .string()
      .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag like "en" or "pt-BR"')
      .optional()
      .nullable(),
    seed,
    idempotencyKey,
  });

@InputType()
export class GenerateAdImagesInput {
  @Field(() => ID)
  brandId: string;

  @Field(() => ID, { nullable: true })
  campaignId?: string | null;

  @Field({ description: 'What the picture shows.' })
  prompt: string;

  @Field(() => [AdFormat])
  formats: string[];

  @Field()
  headline: string;

  @Field(() => String, { nullable: true })
  subline?: string | null;

  @Field(() => String, { nullable: true })
  cta?: string | null;

  @Field(() => Int, { nullable: true, description: 'Pictures to make (default 1); each is composed in every format.' })
  variants?: number | null;

  @Field(() => Int, { nullable: true })
  seed?: number | null;

  @Field(() => String, { nullable: true })
  idempotencyKey?: string | null;
}

export const generateAdImagesSchema = (maxVariants: number) =>
  z.object({
    brandId: uuid,
    campaignId: uuid.optional().nullable(),
    prompt: z.string().trim().min(1, 'must not be empty').max(1000, 'must be at most 1000 characters'),
    formats: z
      .array(z.enum(AD_FORMAT_IDS as [string, ...string[]], { message: 'is not a supported ad format' }))
      .min(1, 'must name at least one format')
      .max(AD_FORMAT_IDS.length)
      .refine((f) => new Set(f).size === f.length, 'must not repeat a format'),
    headline: z.string().trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters'),
    subline: z.string().trim().max(200, 'must be at most 200 characters').optional().nullable(),
    cta: z.string().trim().max(40, 'must be at most 40 characters').optional().nullable(),
    variants: z.number().int().min(1, 'must be at least 1').max(maxVariants, `must be at most ${maxVariants}`).optional().nullable(),
    seed,
    idempotencyKey,
  });

@InputType()
export class JobFilter {
  @Field(() => JobStatus, { nullable: true })
  status?: JobStatus;

  @Field(() => JobKind, { nullable: true })
  kind?: JobKind;

  @Field(() => ID, { nullable: true })
  brandId?: string;

  @Field(() => ID, { nullable: true })
  campaignId?: string;
}

export const jobFilterSchema = z.object({
  status: z.nativeEnum(JobStatus).optional(),
  kind: z.nativeEnum(JobKind).optional(),
  brandId: uuid.optional(),
  campaignId: uuid.optional(),
});
