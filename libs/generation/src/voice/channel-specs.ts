/**
 * The copy slots each channel accepts, with the platform's character limits. The id is what the
 * API exposes as a GraphQL enum value, so ids are stable and UPPER_SNAKE.
 */
export type ChannelId =
  | 'GOOGLE_RSA_HEADLINE'
  | 'GOOGLE_RSA_DESCRIPTION'
  | 'GOOGLE_RSA_PATH'
  | 'PMAX_LONG_HEADLINE'
  | 'META_PRIMARY_TEXT'
  | 'META_HEADLINE'
  | 'LINKEDIN_INTRO'
  | 'EMAIL_SUBJECT'
  | 'EMAIL_PREHEADER'
  | 'LANDING_HERO_HEADLINE'
  | 'LANDING_HERO_SUBHEAD'
  | 'PRODUCT_DESCRIPTION';

export interface ChannelSpec {
  id: ChannelId;
  label: string;
  /** Hard limit in characters; generation never exceeds it. */
  maxChars: number;
  /** What the copy is for, told to the model. */
  purpose: string;
  /** A headline-like slot, where the brand's headline case applies. */
  headline: boolean;
  /** Tokens to allow the model (a budget; the character limit is the real bound). */
  maxNewTokens: number;
}

const spec = (id: ChannelId, label: string, maxChars: number, purpose: string, headline: boolean): ChannelSpec => ({
  id,
  label,
  maxChars,
  purpose,
  headline,
  maxNewTokens: Math.min(256, Math.ceil(maxChars / 2) + 8),
});

export const CHANNEL_SPECS: Readonly<Record<ChannelId, ChannelSpec>> = {
  GOOGLE_RSA_HEADLINE: spec('GOOGLE_RSA_HEADLINE', 'Google responsive search ad headline', 30, 'a search ad headline', true),
  GOOGLE_RSA_DESCRIPTION: spec('GOOGLE_RSA_DESCRIPTION', 'Google responsive search ad description', 90, 'a search ad description', false),
  GOOGLE_RSA_PATH: spec('GOOGLE_RSA_PATH', 'Google responsive search ad display path', 15, 'a display URL path segment', false),
  PMAX_LONG_HEADLINE: spec('PMAX_LONG_HEADLINE', 'Performance Max long headline', 90, 'a long headline for Performance Max', true),
  META_PRIMARY_TEXT: spec('META_PRIMARY_TEXT', 'Meta ad primary text', 125, 'the primary text of a Facebook / Instagram ad', false),
  META_HEADLINE: spec('META_HEADLINE', 'Meta ad headline', 40, 'a Facebook / Instagram ad headline', true),
  LINKEDIN_INTRO: spec('LINKEDIN_INTRO', 'LinkedIn ad introductory text', 150, 'the introductory text of a LinkedIn ad', false),
  EMAIL_SUBJECT: spec('EMAIL_SUBJECT', 'Email subject line', 60, 'an email subject line', true),
  EMAIL_PREHEADER: spec('EMAIL_PREHEADER', 'Email preheader', 90, 'an email preheader', false),
  LANDING_HERO_HEADLINE: spec('LANDING_HERO_HEADLINE', 'Landing page hero headline', 70, 'the hero headline of a landing page', true),
  LANDING_HERO_SUBHEAD: spec(
    'LANDING_HERO_SUBHEAD',
    'Landing page hero subhead',
    160,
    'the subhead under a landing page hero headline',
    false,
  ),
  PRODUCT_DESCRIPTION: spec('PRODUCT_DESCRIPTION', 'Product description', 500, 'a product description', false),
};

export const CHANNEL_IDS = Object.keys(CHANNEL_SPECS) as ChannelId[];

export function isChannelId(value: string): value is ChannelId {
  return Object.prototype.hasOwnProperty.call(CHANNEL_SPECS, value);
}
