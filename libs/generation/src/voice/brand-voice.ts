/**
 * A brand's voice as the generation engine sees it. The API's Brand entity maps onto this; the
 * engine never imports the API.
 */
export interface ToneTrait {
  /** "We are …", e.g. "confident". */
  weAre: string;
  /** "… but we are not", e.g. "arrogant". */
  weAreNot: string;
}

export type TextCase = 'sentence' | 'title' | 'any';

export interface StyleRules {
  oxfordComma: boolean;
  contractions: boolean;
  exclamationMarks: boolean;
  emoji: boolean;
  headlineCase: TextCase;
  /** Flesch–Kincaid grade the copy should not exceed. */
  targetReadingGrade: number | null;
}

export interface BrandVoice {
  name: string;
  description: string;
  audience: string;
  toneTraits: ToneTrait[];
  preferredTerms: string[];
  requiredTerms: string[];
  bannedTerms: string[];
  styleRules: StyleRules;
  /** Copy the brand considers on-voice; used as few-shot examples. */
  exampleCopy: string[];
}

export interface BrandVisuals {
  /** Hex colours, primary first, e.g. ["#0F62FE", "#FFFFFF"]. */
  palette: string[];
  /** Font family names; the compositor falls back to its bundled open-licence font. */
  headingFont: string | null;
  bodyFont: string | null;
  /** PNG/SVG/WebP bytes of the logo, when the brand has one. */
  logo: Buffer | null;
}
