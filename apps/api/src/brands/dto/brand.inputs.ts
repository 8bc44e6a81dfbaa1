import { Field, Float, ID, InputType } from '@nestjs/graphql';
import { z } from 'zod';
import { hexColour, name, text, uuid } from '../../common/validation/fields';
import { HeadlineCase } from '../brand.model';

@InputType()
export class ToneTraitInput {
  @Field()
  weAre: string;

  @Field()
  weAreNot: string;
}

@InputType()
export class StyleRulesInput {
  @Field({ nullable: true })
  oxfordComma?: boolean;

  @Field({ nullable: true })
  contractions?: boolean;

  @Field({ nullable: true })
  exclamationMarks?: boolean;

  @Field({ nullable: true })
  emoji?: boolean;

  @Field(() => HeadlineCase, { nullable: true })
  headlineCase?: HeadlineCase;

  @Field(() => Float, { nullable: true })
  targetReadingGrade?: number | null;
}

@InputType()
export class LogoInput {
  @Field({ description: 'The image file, base64-encoded (PNG, JPEG, WebP or SVG, at most 1 MB).' })
  base64: string;

  @Field()
  mimeType: string;
}

@InputType()
export class BrandFieldsInput {
  @Field({ nullable: true })
  description?: string;

  @Field({ nullable: true })
  audience?: string;

  @Field(() => [ToneTraitInput], { nullable: true })
  toneTraits?: ToneTraitInput[];

  @Field(() => [String], { nullable: true })
  preferredTerms?: string[];

  @Field(() => [String], { nullable: true })
  requiredTerms?: string[];

  @Field(() => [String], { nullable: true })
  bannedTerms?: string[];

  @Field(() => StyleRulesInput, { nullable: true })
  styleRules?: StyleRulesInput;

  @Field(() => [String], { nullable: true })
  exampleCopy?: string[];

  @Field(() => [String], { nullable: true })
  palette?: string[];

  @Field(() => String, { nullable: true })
  headingFont?: string | null;

  @Field(() => String, { nullable: true })
  bodyFont?: string | null;

  @Field(() => LogoInput, { nullable: true, description: 'null removes the logo.' })
  logo?: LogoInput | null;
}

@InputType()
export class CreateBrandInput extends BrandFieldsInput {
  @Field()
  name: string;
}

@InputType()
export class UpdateBrandInput extends BrandFieldsInput {
  @Field(() => ID)
  id: string;

  @Field({ nullable: true })
  name?: string;
}

const term = z.string().trim().min(1, 'must not be empty').max(60, 'must be at most 60 characters');
const terms = z.array(term).max(100, 'at most 100 terms');

const styleRules = z
  .object({
    oxfordComma: z.boolean(),
    contractions: z.boolean(),
    exclamationMarks: z.boolean(),
    emoji: z.boolean(),
    headlineCase: z.nativeEnum(HeadlineCase),
    targetReadingGrade: z.number().min(1, 'must be between 1 and 18').max(18, 'must be between 1 and 18').nullable(),
  })
  .partial();

const brandFields = {
  description: text(2000).optional(),
  audience: text(1000).optional(),
  toneTraits: z
    .array(z.object({ weAre: name(60), weAreNot: name(60) }))
    .max(12, 'at most 12 traits')
    .optional(),
  preferredTerms: terms.optional(),
  requiredTerms: terms.optional(),
  bannedTerms: terms.optional(),
  styleRules: styleRules.optional(),
  exampleCopy: z.array(z.string().trim().min(1, 'must not be empty').max(1000)).max(20, 'at most 20 examples').optional(),
  palette: z.array(hexColour).max(12, 'at most 12 colours').optional(),
  headingFont: name(80).nullable().optional(),
  bodyFont: name(80).nullable().optional(),
  logo: z
    .object({
      base64: z.string().min(1, 'must not be empty').max(1_400_000, 'the logo must be at most 1 MB'),
      mimeType: z.enum(['image/png', 'image/jpeg', 'image/webp', 'image/svg+xml'], {
        message: 'must be image/png, image/jpeg, image/webp or image/svg+xml',
      }),
    })
    .nullable()
    .optional(),
};

function noOverlap(value: { requiredTerms?: string[]; bannedTerms?: string[] }, ctx: z.RefinementCtx) {
  const banned = new Set((value.bannedTerms ?? []).map((t) => t.toLowerCase()));
  const clash = (value.requiredTerms ?? []).find((t) => banned.has(t.toLowerCase()));
  if (clash) ctx.addIssue({ code: 'custom', path: ['bannedTerms'], message: `"${clash}" cannot be both required and banned` });
}

export const createBrandSchema = z.object({ name: name(80), ...brandFields }).superRefine(noOverlap);
export const updateBrandSchema = z.object({ id: uuid, name: name(80).optional(), ...brandFields }).superRefine(noOverlap);
export type BrandFields = z.infer<typeof createBrandSchema>;
