/**
 * How well one variant fits the brand and the channel, told honestly:
 *
 * - hard rules (copy present, the limit, required and banned terms, exclamation marks, emoji,
 *   contractions, headline case) pass or fail. Decoding and exact rewriting hold them; a variant
 *   that still breaks one is failing, and its score is capped below the "good" band, so a missing
 *   required term can never show green;
 * - soft qualities (reading grade, sentence length, preferred terms) are measured and cost points;
 * - what the engine did per rule (tokens vetoed, terms forced, case rewritten, examples dropped)
 *   is listed, so a reviewer sees where the voice was applied.
 *
 * Every check carries a label in the product's words ("Missing required term: Ridgeline"); `rule`
 * is an id for programs, never shown.
 */
import type { BrandVoice } from './brand-voice';
import type { ChannelSpec } from './channel-specs';
import { followsHeadlineCase } from './headline-case';
import { CONTRACTION, EMOJI, EXCLAMATION, type ConstraintReport } from '../text/output-constraints';
import { memorisation, voiceSimilarity, type Memorisation } from './voice-similarity';

export type VoiceRule =
  | 'not_empty'
  | 'length'
  | 'required_terms'
  | 'banned_terms'
  | 'exclamation'
  | 'emoji'
  | 'contractions'
  | 'case'
  | 'reading_grade'
  | 'sentence_length'
  | 'preferred_terms'
  | 'similarity'
  | 'memorisation';

export const HARD_RULES: readonly VoiceRule[] = [
  'not_empty',
  'length',
  'required_terms',
  'banned_terms',
  'exclamation',
  'emoji',
  'contractions',
  'case',
];

export interface VoiceCheck {
  rule: VoiceRule;
  /** A hard rule: failing it makes the variant failing. */
  hard: boolean;
  passed: boolean;
  /** What a marketer reads, e.g. "Missing required term: Ridgeline". */
  label: string;
  detail: string;
}

/** Something the engine did to hold the voice, e.g. "Blocked 12 tokens that would add an exclamation mark". */
export interface VoiceAction {
  rule: VoiceRule | 'prompt' | 'retries';
  label: string;
}

export interface VoiceReport {
  characters: number;
  maxChars: number;
  requiredTermsMissing: string[];
  bannedTermsFound: string[];
  readingGrade: number;
  /** Words per sentence, on average. */
  sentenceLength: number;
  /** Voice similarity to the brand's samples, 0–1 (voice-similarity.ts); null without samples. */
  similarity: number | null;
  /** What the variant shares word for word with the samples; null without samples. */
  memorisation: Memorisation | null;
  checks: VoiceCheck[];
  /** Every hard rule holds. */
  hardRulesPassed: boolean;
  /** 0–100; higher is more on-voice. Below GOOD_SCORE whenever a hard rule fails. */
  score: number;
  actions: VoiceAction[];
  /** Example copy left out of the prompt so it fit the model's context, longest first. */
  examplesDropped: string[];
  /** Soft voice lines told in fewer words so the prompt fit (description, tone, preferred_terms, audience). */
  voiceLinesShortened: string[];
}

/** Scores from here up read as good (green in the dashboard). */
export const GOOD_SCORE = 70;
/** The highest score a variant that breaks a hard rule can have. */
export const FAILING_SCORE_CAP = GOOD_SCORE - 10;
/** Sentences longer than this on average cost points when the brand's samples do not say otherwise. */
export const LONG_SENTENCE_WORDS = 20;
/** Voice similarity below this reads off-voice (calibrated on the bench:voice fixture). */
export const ON_VOICE_SIMILARITY = 0.4;

/** Syllables by vowel groups, with a silent final e: good enough for a grade estimate. */
function syllables(word: string): number {
  const w = word.toLowerCase().replace(/[^a-z]/g, '');
  if (!w) return 0;
  const groups = w.replace(/e$/, '').match(/[aeiouy]+/g);
  return Math.max(1, groups?.length ?? 1);
}

const wordsOf = (text: string) => text.match(/[\p{L}\p{N}']+/gu) ?? [];
const sentencesIn = (text: string) => Math.max(1, (text.match(/[.!?]+(\s|$)/g) ?? []).length);

/** Flesch–Kincaid grade level. */
export function readingGrade(text: string): number {
  const words = wordsOf(text);
  if (words.length === 0) return 0;
  const syl = words.reduce((n, w) => n + syllables(w), 0);
  const grade = 0.39 * (words.length / sentencesIn(text)) + 11.8 * (syl / words.length) - 15.59;
  return Math.round(Math.max(0, grade) * 10) / 10;
}

export function averageSentenceLength(text: string): number {
  const words = wordsOf(text).length;
  return words === 0 ? 0 : Math.round((words / sentencesIn(text)) * 10) / 10;
}

/** What the prompt had to leave out to fit the model's context (see prompt-budget.ts). */
export interface PromptCuts {
  examplesDropped: string[];
  shortened: string[];
}

/** What generation did for this variant: decoding's constraint report, the case rewrite, tries. */
export interface EngineWork {
  constraints?: ConstraintReport;
  caseRewritten?: boolean;
  /** Generations this variant took (more than one when earlier tries broke a hard rule). */
  attempts?: number;
}

/** The brand's own words, kept in their canonical case by the case rewrite. */
export function brandTerms(brand: BrandVoice): string[] {
  return [brand.name, ...brand.requiredTerms, ...brand.preferredTerms].filter((t) => t.trim());
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const quoteList = (items: string[]) => items.map((i) => `"${i}"`).join(', ');

export function buildVoiceReport(
  text: string,
  brand: BrandVoice,
  channel: ChannelSpec,
  cuts: PromptCuts = { examplesDropped: [], shortened: [] },
  work: EngineWork = {},
): VoiceReport {
  const lower = text.toLowerCase();
  const rules = brand.styleRules;
  const requiredTermsMissing = brand.requiredTerms.filter((t) => !lower.includes(t.toLowerCase()));
  const bannedTermsFound = brand.bannedTerms.filter((t) => lower.includes(t.toLowerCase()));
  const grade = readingGrade(text);
  const sentenceLength = averageSentenceLength(text);
  const contraction = text.match(CONTRACTION)?.[0];
  const caseApplies = channel.headline && rules.headlineCase !== 'any';
  const hard = (rule: VoiceRule, passed: boolean, label: string, detail: string): VoiceCheck => ({
    rule,
    hard: true,
    passed,
    label,
    detail,
  });
  const soft = (rule: VoiceRule, passed: boolean, label: string, detail: string): VoiceCheck => ({
    rule,
    hard: false,
    passed,
    label,
    detail,
  });
  const preferredUsed = brand.preferredTerms.filter((t) => lower.includes(t.toLowerCase()));

  const checks: VoiceCheck[] = [
    hard('not_empty', text.trim().length > 0, text.trim() ? 'Has copy' : 'Empty copy', text.trim() ? 'has copy' : 'empty'),
    hard(
      'length',
      text.length <= channel.maxChars,
      text.length <= channel.maxChars
        ? `Within ${channel.maxChars} characters`
        : `Too long: ${text.length} of ${channel.maxChars} characters`,
      `${text.length}/${channel.maxChars} characters`,
    ),
    hard(
      'required_terms',
      requiredTermsMissing.length === 0,
      requiredTermsMissing.length
        ? `Missing required ${requiredTermsMissing.length === 1 ? 'term' : 'terms'}: ${requiredTermsMissing.join(', ')}`
        : brand.requiredTerms.length
          ? `Includes ${brand.requiredTerms.join(', ')}`
          : 'No required terms',
      requiredTermsMissing.length ? `missing ${requiredTermsMissing.join(', ')}` : 'all present',
    ),
    hard(
      'banned_terms',
      bannedTermsFound.length === 0,
      bannedTermsFound.length
        ? `Contains banned ${bannedTermsFound.length === 1 ? 'term' : 'terms'}: ${bannedTermsFound.join(', ')}`
        : 'No banned terms',
      bannedTermsFound.length ? `contains ${bannedTermsFound.join(', ')}` : 'none found',
    ),
    hard(
      'exclamation',
      rules.exclamationMarks || !EXCLAMATION.test(text),
      rules.exclamationMarks ? 'Exclamation marks allowed' : EXCLAMATION.test(text) ? 'Uses an exclamation mark' : 'No exclamation marks',
      EXCLAMATION.test(text) ? 'uses exclamation marks' : 'none',
    ),
    hard(
      'emoji',
      rules.emoji || !EMOJI.test(text),
      rules.emoji ? 'Emoji allowed' : EMOJI.test(text) ? 'Uses emoji' : 'No emoji',
      EMOJI.test(text) ? 'uses emoji' : 'none',
    ),
    hard(
      'contractions',
      rules.contractions || !contraction,
      rules.contractions ? 'Contractions allowed' : contraction ? `Uses a contraction: ${contraction}` : 'No contractions',
      contraction ? `contains ${contraction}` : 'none',
    ),
    hard(
      'case',
      !caseApplies || followsHeadlineCase(text, rules.headlineCase, brandTerms(brand)),
      !caseApplies
        ? channel.headline
          ? 'Any headline case'
          : 'Not a headline'
        : followsHeadlineCase(text, rules.headlineCase, brandTerms(brand))
          ? `${rules.headlineCase === 'title' ? 'Title' : 'Sentence'} case`
          : `Not in ${rules.headlineCase} case`,
      channel.headline ? `${rules.headlineCase} case expected` : 'not a headline',
    ),
    soft(
      'reading_grade',
      rules.targetReadingGrade === null || grade <= rules.targetReadingGrade,
      rules.targetReadingGrade === null
        ? `Reading grade ${grade}`
        : grade <= rules.targetReadingGrade
          ? `Reading grade ${grade} (target ${rules.targetReadingGrade} or below)`
          : `Hard to read: grade ${grade}, above the target of ${rules.targetReadingGrade}`,
      `grade ${grade}${rules.targetReadingGrade !== null ? ` (target ≤ ${rules.targetReadingGrade})` : ''}`,
    ),
    soft(
      'sentence_length',
      sentenceLength <= LONG_SENTENCE_WORDS,
      sentenceLength <= LONG_SENTENCE_WORDS
        ? `Sentences average ${sentenceLength} words`
        : `Long sentences: ${sentenceLength} words on average (aim for ${LONG_SENTENCE_WORDS} or fewer)`,
      `${sentenceLength} words per sentence`,
    ),
  ];
  if (brand.preferredTerms.length > 0) {
    checks.push(
      soft(
        'preferred_terms',
        preferredUsed.length > 0,
        preferredUsed.length ? `Uses preferred terms: ${preferredUsed.join(', ')}` : 'No preferred terms used',
        `${preferredUsed.length} of ${brand.preferredTerms.length}`,
      ),
    );
  }

  const samples = brand.exampleCopy.filter((e) => e.trim());
  const similarity = samples.length && text.trim() ? Math.round(voiceSimilarity(text, samples) * 100) / 100 : null;
  const copied = samples.length && text.trim() ? memorisation(text, samples) : null;
  if (similarity !== null) {
    checks.push(
      soft(
        'similarity',
        similarity >= ON_VOICE_SIMILARITY,
        similarity >= ON_VOICE_SIMILARITY
          ? `Reads like the brand's samples (${Math.round(similarity * 100)}%)`
          : `Reads off-voice: ${Math.round(similarity * 100)}% like the brand's samples`,
        `similarity ${similarity}`,
      ),
    );
  }
  if (copied) {
    checks.push(
      soft(
        'memorisation',
        !copied.copied,
        copied.copied ? `Copies a sample: "${copied.longestShared}"` : 'Original wording',
        `longest shared run ${copied.longestSharedWords} words, overlap ${Math.round(copied.overlap * 100)}%`,
      ),
    );
  }

  const penalty: Record<VoiceRule, number> = {
    not_empty: 100,
    length: 60,
    banned_terms: 60,
    required_terms: 40,
    exclamation: 20,
    emoji: 20,
    contractions: 15,
    case: 15,
    reading_grade: 10,
    sentence_length: 5,
    preferred_terms: 5,
    similarity: 10,
    memorisation: 15,
  };
  const hardRulesPassed = checks.every((c) => !c.hard || c.passed);
  let score = 100 - checks.filter((c) => !c.passed).reduce((n, c) => n + penalty[c.rule], 0);
  if (!hardRulesPassed) score = Math.min(score, FAILING_SCORE_CAP);
  return {
    characters: text.length,
    maxChars: channel.maxChars,
    requiredTermsMissing,
    bannedTermsFound,
    readingGrade: grade,
    sentenceLength,
    similarity,
    memorisation: copied,
    checks,
    hardRulesPassed,
    score: Math.max(0, Math.min(100, score)),
    actions: engineActions(brand, channel, cuts, work),
    examplesDropped: [...cuts.examplesDropped],
    voiceLinesShortened: [...cuts.shortened],
  };
}

/** Per rule, what the engine did, in the product's words. */
function engineActions(brand: BrandVoice, channel: ChannelSpec, cuts: PromptCuts, work: EngineWork): VoiceAction[] {
  const actions: VoiceAction[] = [];
  const vetoed = work.constraints?.vetoed ?? {};
  const blocked = (rule: VoiceRule, n: number | undefined, what: string) => {
    if (n) actions.push({ rule, label: `Blocked ${plural(n, 'token')} that would ${what}` });
  };
  blocked('banned_terms', vetoed.banned_terms, `write a banned term (${quoteList(brand.bannedTerms)})`);
  blocked('length', vetoed.length, `go past the ${channel.maxChars}-character limit`);
  blocked('exclamation', vetoed.exclamation, 'add an exclamation mark');
  blocked('emoji', vetoed.emoji, 'add an emoji');
  blocked('contractions', vetoed.contractions, 'make a contraction');
  blocked('required_terms', vetoed.required_terms, 'leave no room for the required terms');
  for (const term of work.constraints?.forcedTerms ?? [])
    actions.push({ rule: 'required_terms', label: `Wrote the required term "${term}" by forcing its tokens` });
  if (work.caseRewritten) actions.push({ rule: 'case', label: `Rewrote the copy in ${brand.styleRules.headlineCase} case` });
  if (cuts.examplesDropped.length)
    actions.push({
      rule: 'prompt',
      label: `Left out ${plural(cuts.examplesDropped.length, 'example')} so the prompt fit the model's context`,
    });
  if (cuts.shortened.length)
    actions.push({
      rule: 'prompt',
      label: `Shortened the voice (${cuts.shortened.join(', ').replaceAll('_', ' ')}) so the prompt fit the model's context`,
    });
  if ((work.attempts ?? 1) > 1)
    actions.push({ rule: 'retries', label: `Generated ${plural(work.attempts!, 'time')} to hold the hard rules` });
  return actions;
}
