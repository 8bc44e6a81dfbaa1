/**
 * Proposes a voice from a brand's existing copy: style rules measured from the samples, and the
 * best few exemplars per channel length. Each proposal carries its evidence in the product's words,
 * so a marketer accepts or edits it; nothing here is applied to a brand by itself.
 *
 * - contractions, exclamation marks, emoji: allowed when at least ALLOW_SHARE of the samples use them;
 * - headline case: among headline-like samples (short, one phrase) whose case is decisive (a sample
 *   that is both title and sentence case, like "Fresh Coffee", says nothing), the case at least
 *   CASE_SHARE of them follow, else "any";
 * - reading grade: the 90th percentile of the samples' Flesch–Kincaid grades, rounded up;
 * - sentence length: the samples' mean words per sentence;
 * - Oxford comma: lists of three or more ("a, b, and c" against "a, b and c"), by majority; no
 *   lists, no proposal;
 * - exemplars: per channel limit, the samples that fill the slot (40–100% of the limit), and among
 *   them up to three medoids chosen greedily by character n-gram similarity (each pick covers the
 *   samples most like it), so the exemplars are typical and different from each other.
 */
import type { TextCase } from './brand-voice';
import { CHANNEL_SPECS } from './channel-specs';
import { followsHeadlineCase } from './headline-case';
import { averageSentenceLength, readingGrade } from './voice-report';
import { charNgramSimilarity } from './voice-similarity';
import { CONTRACTION, EMOJI, EXCLAMATION } from '../text/output-constraints';

export interface Proposal<T> {
  value: T;
  /** Why, from the samples, e.g. "12 of 50 samples use contractions (24%)". */
  evidence: string;
}

export interface ExemplarProposal {
  /** The channel limit these exemplars fit. */
  maxChars: number;
  examples: string[];
}

export interface VoiceProposal {
  samples: number;
  contractions: Proposal<boolean>;
  exclamationMarks: Proposal<boolean>;
  emoji: Proposal<boolean>;
  headlineCase: Proposal<TextCase>;
  targetReadingGrade: Proposal<number>;
  sentenceLength: Proposal<number>;
  /** Null when the samples hold no list of three or more. */
  oxfordComma: Proposal<boolean> | null;
  exemplars: ExemplarProposal[];
}

export const ALLOW_SHARE = 0.1;
export const CASE_SHARE = 0.7;
const HEADLINE_CHARS = 70;

const percent = (n: number, of: number) => `${n} of ${of} samples (${Math.round((n / of) * 100)}%)`;

function usage(samples: string[], re: RegExp, what: string): Proposal<boolean> {
  const n = samples.filter((s) => re.test(s)).length;
  return { value: n / samples.length >= ALLOW_SHARE, evidence: `${percent(n, samples.length)} use ${what}` };
}

function headlineCase(samples: string[]): Proposal<TextCase> {
  // Headline-like: short, one phrase (no sentence punctuation), three words or more.
  const headlines = samples.filter((s) => s.length <= HEADLINE_CHARS && !/[.!?]/.test(s) && (s.match(/\p{L}+/gu) ?? []).length >= 3);
  let title = 0;
  let sentence = 0;
  for (const h of headlines) {
    const t = followsHeadlineCase(h, 'title');
    const s = followsHeadlineCase(h, 'sentence');
    if (t && !s) title++;
    else if (s && !t) sentence++;
  }
  const decisive = title + sentence;
  if (decisive === 0) return { value: 'any', evidence: 'no headline-length samples show a case' };
  const evidence = `of ${decisive} headline-length samples, ${title} are in title case and ${sentence} in sentence case`;
  if (title / decisive >= CASE_SHARE) return { value: 'title', evidence };
  if (sentence / decisive >= CASE_SHARE) return { value: 'sentence', evidence };
  return { value: 'any', evidence };
}

function oxfordComma(samples: string[]): Proposal<boolean> | null {
  let withComma = 0;
  let without = 0;
  for (const s of samples) {
    // "a, b, and c" / "a, b and c": items of one to three words.
    withComma += (s.match(/[\p{L}\p{N}]+(?: [\p{L}\p{N}]+){0,2}, [\p{L}\p{N}]+(?: [\p{L}\p{N}]+){0,2}, (?:and|or) /gu) ?? []).length;
    without += (s.match(/[\p{L}\p{N}]+(?: [\p{L}\p{N}]+){0,2}, [\p{L}\p{N}]+(?: [\p{L}\p{N}]+){0,2} (?:and|or) /gu) ?? []).length;
  }
  if (withComma + without === 0) return null;
  return {
    value: withComma >= without,
    evidence: `${withComma} lists with a comma before the last "and"/"or", ${without} without`,
  };
}

/** Up to `k` medoids: each greedy pick most raises the summed best-similarity of every sample. */
export function pickExemplars(samples: string[], k = 3): string[] {
  const n = samples.length;
  if (n <= k) return [...samples];
  const sim = samples.map((a, i) => samples.map((b, j) => (i === j ? 1 : charNgramSimilarity(a, [b]))));
  const best = new Array<number>(n).fill(0);
  const chosen: number[] = [];
  while (chosen.length < k) {
    let pick = -1;
    let gain = -1;
    for (let c = 0; c < n; c++) {
      if (chosen.includes(c)) continue;
      let g = 0;
      for (let i = 0; i < n; i++) g += Math.max(0, sim[c][i] - best[i]);
      if (g > gain) {
        gain = g;
        pick = c;
      }
    }
    chosen.push(pick);
    for (let i = 0; i < n; i++) best[i] = Math.max(best[i], sim[pick][i]);
  }
  return chosen.map((i) => samples[i]);
}

export function learnVoice(input: readonly string[]): VoiceProposal {
  const samples = input.map((s) => s.trim()).filter(Boolean);
  if (samples.length === 0) throw new Error('learnVoice needs at least one sample of copy');
  const grades = samples.map(readingGrade).sort((a, b) => a - b);
  const p90 = grades[Math.min(grades.length - 1, Math.floor(grades.length * 0.9))];
  const lengths = samples.map(averageSentenceLength);
  const meanLength = Math.round((lengths.reduce((a, b) => a + b, 0) / lengths.length) * 10) / 10;
  const limits = [...new Set(Object.values(CHANNEL_SPECS).map((c) => c.maxChars))].sort((a, b) => a - b);
  const exemplars = limits
    .map((maxChars) => ({ maxChars, fit: samples.filter((s) => s.length <= maxChars && s.length >= maxChars * 0.4) }))
    .filter((e) => e.fit.length > 0)
    .map(({ maxChars, fit }) => ({ maxChars, examples: pickExemplars(fit) }));
  return {
    samples: samples.length,
    contractions: usage(samples, CONTRACTION, 'contractions'),
    exclamationMarks: usage(samples, EXCLAMATION, 'exclamation marks'),
    emoji: usage(samples, EMOJI, 'emoji'),
    headlineCase: headlineCase(samples),
    targetReadingGrade: { value: Math.max(1, Math.ceil(p90)), evidence: `90% of samples read at grade ${p90} or below` },
    sentenceLength: { value: meanLength, evidence: `samples average ${meanLength} words per sentence` },
    oxfordComma: oxfordComma(samples),
    exemplars,
  };
}
