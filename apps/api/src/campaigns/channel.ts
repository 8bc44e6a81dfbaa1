import { registerEnumType } from '@nestjs/graphql';

/**
 * Where copy runs. The values are the generation library's channel spec ids (its table holds each
 * channel's character limits); a test keeps this enum and that table in step.
 */
export enum Channel {
  GOOGLE_RSA_HEADLINE = 'google_rsa_headline',
  GOOGLE_RSA_DESCRIPTION = 'google_rsa_description',
  GOOGLE_RSA_PATH = 'google_rsa_path',
  PMAX_LONG_HEADLINE = 'pmax_long_headline',
  META_PRIMARY_TEXT = 'meta_primary_text',
  META_HEADLINE = 'meta_headline',
  LINKEDIN_INTRO = 'linkedin_intro',
  EMAIL_SUBJECT = 'email_subject',
  EMAIL_PREHEADER = 'email_preheader',
  LANDING_HERO_HEADLINE = 'landing_hero_headline',
  LANDING_HERO_SUBHEAD = 'landing_hero_subhead',
  PRODUCT_DESCRIPTION = 'product_description',
}
registerEnumType(Channel, { name: 'Channel', description: 'A placement with its own length limits.' });
