import type { VariantFieldsFragment } from '../graphql/generated';

type Report = VariantFieldsFragment['voiceReport'];
type Check = Report['checks'][number];

/** From this score up the voice reads as good (the api caps a variant breaking a hard rule at 60). */
export const GOOD_VOICE_SCORE = 70;

/**
 * A check in the product's words. New reports carry their own label; reports stored before labels
 * existed are labelled here from the rule, so a rule id is never shown.
 */
export function voiceCheckLabel(check: Check, report: Report): string {
  if (check.label) return check.label;
  const failed = !check.passed;
  switch (check.rule) {
    case 'not_empty':
      return failed ? 'Empty copy' : 'Has copy';
    case 'length':
      return failed ? `Too long: ${report.characters} of ${report.maxChars} characters` : `Within ${report.maxChars} characters`;
    case 'required_terms':
      return failed ? `Missing required term: ${report.requiredTermsMissing.join(', ')}` : 'Required terms present';
    case 'banned_terms':
      return failed ? `Contains banned term: ${report.bannedTermsFound.join(', ')}` : 'No banned terms';
    case 'reading_grade':
      return failed ? `Hard to read: grade ${report.readingGrade.toFixed(1)}` : `Reading grade ${report.readingGrade.toFixed(1)}`;
    case 'exclamation':
      return failed ? 'Uses an exclamation mark' : 'No exclamation marks';
    case 'emoji':
      return failed ? 'Uses emoji' : 'No emoji';
    case 'contractions':
      return failed ? 'Uses a contraction' : 'No contractions';
    case 'case':
      return failed ? 'Headline case not followed' : 'Headline case';
    case 'sentence_length':
      return failed ? 'Long sentences' : 'Sentence length';
    case 'preferred_terms':
      return failed ? 'No preferred terms used' : 'Uses preferred terms';
    default:
      return failed ? 'A voice rule is not met' : 'Voice rule met';
  }
}
