/**
 * Headline case as an exact rewrite, so the rule holds for any model. The product's rules:
 *
 * Title case — every word starts with a capital, except these minor words when they are neither the
 * first nor the last word: a, an, and, as, at, but, by, for, from, in, nor, of, on, or, per, the,
 * to, via, vs, with. Minor words are written in lower case. Each part of a hyphenated word counts
 * as a word ("Free-Range").
 *
 * Sentence case — the first word of each sentence (after . ? ! or a line break) starts with a
 * capital; any other word written as Capitalised (capital then lower case) is lowered. "I" stays.
 *
 * In both, a word is kept exactly as written when it is an acronym (two or more capitals, no lower
 * case), has a capital after its first letter (iPhone, McKinley), or holds a digit; and the brand's
 * own terms (its name, required and preferred terms) that hold a capital are always written in
 * their canonical form.
 * A proper noun outside those terms is lowered in sentence case: add it to the brand's preferred
 * terms to keep it. Only single letters change case, one for one, so the length never changes
 * (a letter whose other case is longer, like ß → SS, is left alone). The rewrite is idempotent:
 * text follows the rule exactly when rewriting it changes nothing.
 */
import type { TextCase } from './brand-voice';

const MINOR = new Set([
  'a',
  'an',
  'and',
  'as',
  'at',
  'but',
  'by',
  'for',
  'from',
  'in',
  'nor',
  'of',
  'on',
  'or',
  'per',
  'the',
  'to',
  'via',
  'vs',
  'with',
]);

const WORD = /[\p{L}\p{N}][\p{L}\p{N}'’]*/gu;

const isUpper = (ch: string) => ch !== ch.toLowerCase() && ch === ch.toUpperCase();

/** Acronym, inner capital or digit: written as is. */
function keptAsWritten(word: string): boolean {
  if (/\p{N}/u.test(word)) return true;
  const letters = [...word].filter((c) => c.toLowerCase() !== c.toUpperCase());
  if (letters.length >= 2 && letters.every(isUpper)) return true;
  return [...word].slice(1).some(isUpper);
}

/** A one-for-one case change of the first letter (left alone when its other case is longer). */
function firstLetter(word: string, upper: boolean): string {
  const first = word[0];
  const changed = upper ? first.toUpperCase() : first.toLowerCase();
  return changed.length === first.length ? changed + word.slice(1) : word;
}

function lowerWord(word: string): string {
  const lowered = word.toLowerCase();
  return lowered.length === word.length ? lowered : word;
}

export function applyHeadlineCase(text: string, rule: TextCase, protectedTerms: readonly string[] = []): string {
  if (rule === 'any' || !text) return text;
  const words = [...text.matchAll(WORD)];
  let out = '';
  let at = 0;
  words.forEach((match, i) => {
    const word = match[0];
    const start = match.index!;
    const before = text.slice(at, start);
    out += before;
    at = start + word.length;
    if (keptAsWritten(word)) {
      out += word;
      return;
    }
    if (rule === 'title') {
      const joined = i > 0 && /^-$/.test(before);
      const minor = MINOR.has(word.toLowerCase()) && i > 0 && i < words.length - 1 && !joined && !/[:.?!]\s*$/.test(before);
      out += minor ? lowerWord(word) : firstLetter(word, true);
      return;
    }
    const startsSentence = i === 0 || /[.?!\n]\s*$/.test(text.slice(0, start));
    if (startsSentence) out += firstLetter(word, true);
    else if (word === 'I' || /^I['’]/.test(word)) out += word;
    else out += isUpper(word[0]) ? firstLetter(word, false) : word;
  });
  out += text.slice(at);
  return restoreTerms(out, protectedTerms);
}

/** The brand's terms in their canonical form, wherever they stand as whole words. */
function restoreTerms(text: string, terms: readonly string[]): string {
  let out = text;
  for (const term of terms) {
    // A term written all in lower case ("fresh") is an ordinary word: the case rules apply to it.
    if (!term.trim() || term === term.toLowerCase()) continue;
    const escaped = term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'giu');
    out = out.replace(pattern, (found) => (found.length === term.length ? term : found));
  }
  return out;
}

/** Whether the text already follows the rule (the rewrite would change nothing). */
export function followsHeadlineCase(text: string, rule: TextCase, protectedTerms: readonly string[] = []): boolean {
  return applyHeadlineCase(text, rule, protectedTerms) === text;
}
