/**
 * The hard rules on generated text that decoding enforces, besides banned terms and the limit:
 *
 * - forbidden marks (exclamation marks, emoji, contractions): a token is vetoed when the text it
 *   would make contains one. The check runs on the decoded text, so a mark split across tokens
 *   (an emoji's four UTF-8 bytes, "don" + "'t") is caught on the token that completes it.
 * - required terms: a term is *forced* — its tokens written one by one, bypassing the sampler —
 *   once the remaining budget (characters or tokens) only just holds the terms still missing, or
 *   when the model wants to stop without them. Until then, any token that would leave too little
 *   room for the missing terms is vetoed. So every required term fits within the limit whenever
 *   the limit can hold them at all.
 *
 * Why forcing by budget rather than a disjunctive constraint (HF's `force_words_ids`, which runs a
 * beam search over constraint states): our decoding is sampled, one row per variant, in a
 * continuous batch; a beam per constraint would multiply the batch and change the sampling
 * distribution everywhere, while forcing leaves the model free until the last moment it must act
 * and costs nothing extra. The price is that a forced term can read appended rather than woven in;
 * the voice report says which terms were forced, so a reviewer knows.
 */

export type VetoRule = 'banned_terms' | 'length' | 'exclamation' | 'emoji' | 'contractions' | 'required_terms' | 'stop';

/** What the engine did to hold the rules, per request: plain data (crosses worker_threads). */
export interface ConstraintReport {
  /** Candidate tokens rejected, per rule. */
  vetoed: Partial<Record<VetoRule, number>>;
  /** Required terms written by forcing their tokens. */
  forcedTerms: string[];
}

/** Exclamation marks in any script's form: ASCII, inverted, full-width, and the doubled forms. */
export const EXCLAMATION = /[!¡！‼⁉❗❕]/u;

/** Pictographic emoji, regional-indicator flags and keycap sequences. */
export const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20E3/u;

const APOSTROPHE = "['’ʼ]";
/**
 * English contractions: n't, 're, 've, 'll, 'd, 'm on any word, and 's after the words where it
 * stands for "is" or "us" (a possessive 's, as in "Ridgeline's beans", is not a contraction).
 * The end of the text counts as a word end, so a contraction is caught as soon as it is complete.
 */
export const CONTRACTION = new RegExp(
  `(\\p{L}n${APOSTROPHE}t|\\p{L}${APOSTROPHE}(re|ve|ll|d|m)|\\b(it|that|what|he|she|there|here|let|who|where|how|when|why)${APOSTROPHE}s)(?![\\p{L}\\p{N}])`,
  'iu',
);

export interface MarkRules {
  exclamation: boolean;
  emoji: boolean;
  contractions: boolean;
}

/** The first forbidden mark in the text, by rule, or null. */
export function forbiddenMark(text: string, forbid: MarkRules): 'exclamation' | 'emoji' | 'contractions' | null {
  if (forbid.exclamation && EXCLAMATION.test(text)) return 'exclamation';
  if (forbid.emoji && EMOJI.test(text)) return 'emoji';
  if (forbid.contractions && CONTRACTION.test(text)) return 'contractions';
  return null;
}

/** Required terms not (case-insensitively) in the text. */
export function missingTerms(text: string, terms: readonly string[]): string[] {
  const lower = text.toLowerCase();
  return terms.filter((t) => !lower.includes(t.toLowerCase()));
}

/** Characters the missing terms need, each with a separating space. */
export function charsNeeded(missing: readonly string[]): number {
  return missing.reduce((n, t) => n + t.length + 1, 0);
}

/**
 * Writes required terms by forcing tokens. `encode` is the model's tokenizer; a term is forced as
 * " term" (or "term" after whitespace), so it reads as a word of its own.
 */
export class TermForcer {
  private queue: number[] = [];
  private forcing: string | null = null;
  readonly forced: string[] = [];
  private readonly tokenCost = new Map<string, number>();

  constructor(
    private readonly terms: readonly string[],
    private readonly encode: (text: string) => number[],
  ) {
    for (const t of terms) this.tokenCost.set(t, Math.max(encode(' ' + t).length, encode(t).length));
  }

  get active(): boolean {
    return this.terms.length > 0;
  }

  /** Tokens the missing terms need at most. */
  tokensNeeded(missing: readonly string[]): number {
    return missing.reduce((n, t) => n + (this.tokenCost.get(t) ?? 0), 0);
  }

  /** The next token of a term being forced, if one is under way. */
  continueForcing(): number | null {
    if (this.queue.length === 0) {
      this.forcing = null;
      return null;
    }
    return this.queue.shift()!;
  }

  /** Starts forcing the first missing term; returns its first token, or null when none is missing. */
  startForcing(text: string): number | null {
    const [term] = missingTerms(text, this.terms);
    if (term === undefined) return null;
    const ids = this.encode(text === '' || /\s$/.test(text) ? term : ' ' + term);
    if (ids.length === 0) return null;
    this.forcing = term;
    this.forced.push(term);
    this.queue = ids.slice(1);
    return ids[0];
  }

  /**
   * Whether the budget left only just holds the missing terms: forcing must begin now.
   * `room` is characters left under the limit (Infinity without one), `tokensLeft` new tokens left.
   */
  mustForce(text: string, room: number, tokensLeft: number): boolean {
    if (this.forcing !== null) return false;
    const missing = missingTerms(text, this.terms);
    if (missing.length === 0) return false;
    return tokensLeft <= this.tokensNeeded(missing) || room <= charsNeeded(missing);
  }
}
