/**
 * How well one variant fits the brand and the channel: every hard rule checked, the soft ones
 * measured, and a 0–100 voice score that ranks variants. The score starts at 100 and loses points
 * per broken rule, weighted by how visible the break is to the brand's reviewers.
 */
import type { BrandVoice, TextCase } from './brand-voice';
import type { ChannelSpec } from './channel-specs';

export interface VoiceCheck {
  rule: 'length' | 'required_terms' | 'banned_terms' | 'reading_grade' | 'exclamation' | 'emoji' | 'case' | 'not_empty';
  passed: boolean;
  detail: string;
}

export interface VoiceReport {
  characters: number;
  maxChars: number;
  requiredTermsMissing: string[];
  bannedTermsFound: string[];
  readingGrade: number;
  checks: VoiceCheck[];
  /** 0–100; higher is more on-voice. */
  score: number;
  /** Example copy left out of the prompt so it fit the model's context, longest first. */
  examplesDropped: string[];
  /** Soft voice lines told in fewer words so the prompt fit (description, tone, preferred_terms, audience). */
  voiceLinesShortened: string[];
}

const EMOJI = /\p{Extended_Pictographic}/u;

/** Syllables by vowel groups, with a silent final e: good enough for a grade estimate. */
function syllables(word: string): number {
  const w = word.toLowerCase().replace(/[^a-z]/g, '');
  if (!w) return 0;
  const groups = w.replace(/e$/, '').match(/[aeiouy]+/g);
  return Math.max(1, groups?.length ?? 1);
}

/** Flesch–Kincaid grade level. */
export function readingGrade(text: string): number {
  const words = text.match(/[\p{L}\p{N}']+/gu) ?? [];
  if (words.length === 0) return 0;
  const sentences = Math.max(1, (text.match(/[.!?]+(\s|$)/g) ?? []).length);
  const syl = words.reduce((n, w) => n + syllables(w), 0);
  const grade = 0.39 * (words.length / sentences) + 11.8 * (syl / words.length) - 15.59;
  return Math.round(Math.max(0, grade) * 10) / 10;
}

function followsCase(text: string, rule: TextCase): boolean {
  const words = text.match(/\p{L}[\p{L}']*/gu) ?? [];
  if (rule === 'any' || words.length === 0) return true;
  const capitalised = (w: string) => w[0] === w[0].toUpperCase();
  // Sentence case: a capital first word, and not Title Case throughout (proper nouns are allowed).
  if (rule === 'sentence') return capitalised(words[0]!) && (words.length < 4 || !words.slice(1).every(capitalised));
  const minor = new Set(['a', 'an', 'and', 'as', 'at', 'but', 'by', 'for', 'in', 'of', 'on', 'or', 'the', 'to', 'with']);
  return words.every((w, i) => capitalised(w) || (i > 0 && minor.has(w)));
}

/** What the prompt had to leave out to fit the model's context (see prompt-budget.ts). */
export interface PromptCuts {
  examplesDropped: string[];
  shortened: string[];
}

export function buildVoiceReport(
  text: string,
  brand: BrandVoice,
  channel: ChannelSpec,
  cuts: PromptCuts = { examplesDropped: [], shortened: [] },
): VoiceReport {
  const lower = text.toLowerCase();
  const rules = brand.styleRules;
  const requiredTermsMissing = brand.requiredTerms.filter((t) => !lower.includes(t.toLowerCase()));
  const bannedTermsFound = brand.bannedTerms.filter((t) => lower.includes(t.toLowerCase()));
  const grade = readingGrade(text);
  const checks: VoiceCheck[] = [
    { rule: 'not_empty', passed: text.trim().length > 0, detail: text.trim() ? 'has copy' : 'empty' },
    { rule: 'length', passed: text.length <= channel.maxChars, detail: `${text.length}/${channel.maxChars} characters` },
    {
      rule: 'required_terms',
      passed: requiredTermsMissing.length === 0,
      detail: requiredTermsMissing.length ? `missing ${requiredTermsMissing.join(', ')}` : 'all present',
    },
    {
      rule: 'banned_terms',
      passed: bannedTermsFound.length === 0,
      detail: bannedTermsFound.length ? `contains ${bannedTermsFound.join(', ')}` : 'none found',
    },
    {
      rule: 'reading_grade',
      passed: rules.targetReadingGrade === null || grade <= rules.targetReadingGrade,
      detail: `grade ${grade}${rules.targetReadingGrade !== null ? ` (target ≤ ${rules.targetReadingGrade})` : ''}`,
    },
    {
      rule: 'exclamation',
      passed: rules.exclamationMarks || !text.includes('!'),
      detail: text.includes('!') ? 'uses exclamation marks' : 'none',
    },
    { rule: 'emoji', passed: rules.emoji || !EMOJI.test(text), detail: EMOJI.test(text) ? 'uses emoji' : 'none' },
    {
      rule: 'case',
      passed: !channel.headline || followsCase(text, rules.headlineCase),
      detail: channel.headline ? `${rules.headlineCase} case expected` : 'not a headline',
    },
  ];
  const penalty: Record<VoiceCheck['rule'], number> = {
    not_empty: 100,
    length: 60,
    banned_terms: 60,
    required_terms: 25,
    reading_grade: 10,
    exclamation: 10,
    emoji: 10,
    case: 8,
  };
  let score = 100 - checks.filter((c) => !c.passed).reduce((n, c) => n + penalty[c.rule], 0);
  // Preferred words are a small bonus within the remaining headroom.
  const preferred = brand.preferredTerms.filter((t) => lower.includes(t.toLowerCase())).length;
  if (score === 100 && preferred === 0 && brand.preferredTerms.length > 0) score -= 5;
  return {
    characters: text.length,
    maxChars: channel.maxChars,
    requiredTermsMissing,
    bannedTermsFound,
    readingGrade: grade,
    checks,
    score: Math.max(0, Math.min(100, score)),
    examplesDropped: [...cuts.examplesDropped],
    voiceLinesShortened: [...cuts.shortened],
  };
}
