/**
 * The text a request has written so far, and the hard rules on it: banned terms (blocked at token
 * level, case-insensitively, across token boundaries), a character limit that ends at a word
 * boundary, forbidden marks (exclamation marks, emoji, contractions), room kept for required terms
 * (see output-constraints.ts), stop strings, and what can be streamed safely (never a stop
 * string's prefix, never a half-written character, with a limit never a word that might be cut).
 */
import type { TextTokenizer } from './text-tokenizer';
import type { FinishReason } from './generation-request';
import { charsNeeded, forbiddenMark, missingTerms, type MarkRules, type VetoRule } from './output-constraints';

const REPLACEMENT = '\uFFFD';

export interface OutputRules {
  bannedTerms: string[];
  maxChars?: number;
  stop: string[];
  /** Marks never written (each true = forbidden). */
  forbid?: MarkRules;
  /** Terms the text must hold: room for them is kept under the limit (forcing is the scheduler's). */
  requiredTerms?: string[];
}

const NUL = String.fromCharCode(0);

export class OutputText {
  readonly ids: number[] = [];
  text = '';
  private streamed = 0;
  private readonly banned: string[];
  private readonly forbid: MarkRules | null;
  private readonly required: string[];
  /** Candidate tokens rejected, per rule. */
  readonly vetoed: Partial<Record<VetoRule, number>> = {};

  constructor(
    private readonly tokenizer: TextTokenizer,
    private readonly rules: OutputRules,
    /** Visible length of each token alone, trimmed: a lower bound of what it adds. */
    private readonly pieceLengths: Uint16Array,
  ) {
    this.banned = rules.bannedTerms.map((t) => t.toLowerCase());
    const forbid = rules.forbid;
    this.forbid = forbid && (forbid.exclamation || forbid.emoji || forbid.contractions) ? forbid : null;
    this.required = rules.requiredTerms ?? [];
  }

  /**
   * Visible text: the leading space of the first token is not copy, nor is U+0000, nor a U+FFFD
   * that more text follows (bytes that were not valid UTF-8 and can no longer complete). A trailing
   * U+FFFD stays: it may be the first half of a character the next token finishes.
   */
  private visible(raw: string): string {
    return raw
      .replaceAll(NUL, '')
      .replace(/\uFFFD+(?=[^\uFFFD])/g, '')
      .trimStart();
  }

  /** True when appending `id` would break a rule (checked on the real decoded text); counted per rule. */
  violates(id: number): boolean {
    const rule = this.brokenRule(id);
    if (rule) this.vetoed[rule] = (this.vetoed[rule] ?? 0) + 1;
    return rule !== null;
  }

  private brokenRule(id: number): VetoRule | null {
    const { maxChars } = this.rules;
    if (maxChars !== undefined && this.text.length + this.pieceLengths[id] > maxChars) return 'length';
    if (this.banned.length === 0 && maxChars === undefined && !this.forbid && this.required.length === 0) return null;
    const next = this.visible(this.tokenizer.decode([...this.ids, id]));
    const trimmed = next.replace(/\s+$/, '');
    if (maxChars !== undefined && trimmed.length > maxChars) return 'length';
    const lower = next.toLowerCase();
    if (this.banned.some((term) => lower.includes(term))) return 'banned_terms';
    const mark = this.forbid && forbiddenMark(next, this.forbid);
    if (mark) return mark;
    if (this.required.length > 0) {
      const missing = missingTerms(next, this.required);
      if (missing.length > 0) {
        // Keep room for the missing terms, and do not stop before they are written.
        if (maxChars !== undefined && trimmed.length + charsNeeded(missing) > maxChars) return 'required_terms';
        if (this.rules.stop.some((s) => next.includes(s))) return 'stop';
      }
    }
    return null;
  }

  /** Required terms the text does not hold yet. */
  missingRequired(): string[] {
    return missingTerms(this.text, this.required);
  }

  append(id: number): void {
    this.ids.push(id);
    this.text = this.visible(this.tokenizer.decode(this.ids));
  }

  /** The stop string now in the text, if any; the text is cut before it. */
  cutAtStop(): boolean {
    let cut = -1;
    for (const s of this.rules.stop) {
      const at = this.text.indexOf(s);
      if (at >= 0 && (cut < 0 || at < cut)) cut = at;
    }
    if (cut < 0) return false;
    this.text = this.text.slice(0, cut);
    return true;
  }

  /**
   * Final clean-up. When the character limit ended the text mid-word, drop the partial word
   * (`nextStartsWord`: the model's preferred next token would have continued it).
   */
  finish(reason: FinishReason, nextContinuesWord: boolean): string {
    let text = this.text.replace(new RegExp(`${REPLACEMENT}+$`), '');
    if (
      (reason === 'max_chars' || reason === 'max_tokens' || reason === 'constraints') &&
      nextContinuesWord &&
      /[\p{L}\p{N}]$/u.test(text)
    ) {
      const boundary = text.search(/\s\S*$/);
      // A required term is never dropped as a "partial" last word.
      const kept = boundary > 0 ? text.slice(0, boundary) : text;
      if (missingTerms(kept, this.required).length <= missingTerms(text, this.required).length) text = kept;
    }
    this.text = text.replace(/\s+$/, '');
    return this.text;
  }

  /** New text that is safe to stream now. */
  takeStreamable(final = false): string {
    let end = this.text.length;
    if (!final) {
      while (end > 0 && this.text[end - 1] === REPLACEMENT) end--;
      for (const s of this.rules.stop) {
        for (let k = Math.min(s.length - 1, end); k > 0; k--) {
          if (this.text.slice(end - k, end) === s.slice(0, k)) {
            end -= k;
            break;
          }
        }
      }
      // Word at a time: the last word may still be dropped at a limit, trailing spaces trimmed.
      const lastSpace = this.text.slice(0, end).search(/\s+\S*$/);
      end = lastSpace >= 0 ? lastSpace : this.rules.maxChars !== undefined ? 0 : end;
    }
    if (end <= this.streamed) return '';
    const piece = this.text.slice(this.streamed, end);
    this.streamed = end;
    return piece;
  }
}
