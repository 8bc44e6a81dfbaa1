import { Field, Float, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { TextCase } from '@brandwright/generation';

export enum HeadlineCase {
  SENTENCE = 'sentence',
  TITLE = 'title',
  ANY = 'any',
}
registerEnumType(HeadlineCase, { name: 'HeadlineCase' });

@ObjectType('ToneTrait', { description: '“We are X, but we are not Y.”' })
export class ToneTraitModel {
  @Field()
  weAre: string;

  @Field()
  weAreNot: string;
}

@ObjectType('StyleRules')
export class StyleRulesModel {
  @Field()
  oxfordComma: boolean;

  @Field()
  contractions: boolean;

  @Field()
  exclamationMarks: boolean;

  @Field()
  emoji: boolean;

  @Field(() => HeadlineCase)
  headlineCase: TextCase;

  @Field(() => Float, { nullable: true, description: 'Flesch–Kincaid grade the copy should not exceed.' })
  targetReadingGrade: number | null;
}

@ObjectType('Brand')
export class BrandModel {
  @Field(() => ID)
  id: string;

  @Field()
  name: string;

  @Field()
  description: string;

  @Field()
  audience: string;

  @Field(() => [ToneTraitModel])
  toneTraits: ToneTraitModel[];

  @Field(() => [String])
  preferredTerms: string[];

  @Field(() => [String])
  requiredTerms: string[];

  @Field(() => [String])
  bannedTerms: string[];

  @Field(() => StyleRulesModel)
  styleRules: StyleRulesModel;

  @Field(() => [String])
  exampleCopy: string[];

  @Field(() => [String], { description: 'Hex colours, primary first.' })
  palette: string[];

  @Field(() => String, { nullable: true })
  headingFont: string | null;

  @Field(() => String, { nullable: true })
  bodyFont: string | null;

  @Field(() => String, { nullable: true })
  logoMimeType: string | null;

  @Field()
  createdAt: Date;

  @Field()
  updatedAt: Date;
}
