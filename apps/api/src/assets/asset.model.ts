import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { AD_FORMAT_IDS, type AdFormatId } from '@brandwright/generation';
import { AssetFileKind } from './asset.entity';

/** The GraphQL enum of ad formats, from the compositor's table. */
export const AdFormat = Object.fromEntries(AD_FORMAT_IDS.map((id) => [id, id])) as { readonly [K in AdFormatId]: K };
registerEnumType(AdFormat, { name: 'AdFormat', description: 'An ad placement size (see docs/generation-images.md).' });
registerEnumType(AssetFileKind, { name: 'AssetFileKind' });

@ObjectType('Asset')
export class AssetModel {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  jobId: string;

  @Field(() => ID, { nullable: true })
  campaignId: string | null;

  @Field(() => Int)
  variant: number;

  @Field(() => AdFormat)
  format: string;

  @Field(() => AssetFileKind)
  fileKind: AssetFileKind;

  @Field()
  mimeType: string;

  @Field(() => Int)
  width: number;

  @Field(() => Int)
  height: number;

  @Field(() => Int)
  sizeBytes: number;

  @Field({ description: 'A signed download link; it expires at urlExpiresAt.' })
  url: string;

  @Field()
  urlExpiresAt: Date;

  @Field(() => Boolean, { nullable: true, description: 'The brand check passed (PNG files carry the report).' })
  brandCheckPassed: boolean | null;

  @Field(() => Float, { nullable: true, description: 'Lowest measured text contrast ratio.' })
  minTextContrast: number | null;

  @Field()
  createdAt: Date;
}
