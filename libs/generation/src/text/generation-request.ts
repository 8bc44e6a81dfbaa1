/** What a caller asks the text engine for, and what it gets back. Plain data: crosses worker_threads. */
import type { ChatMessage } from './text-tokenizer';
import { GenerationError, GenerationErrorCode } from './generation-error';
import type { ConstraintReport } from './output-constraints';

export interface GenerationRequest {
  /** Chat messages, rendered with the model's chat template… */
  messages?: ChatMessage[];
  /** …or a raw prompt, used as is. */
  prompt?: string;
  /** Default 64. */
  maxNewTokens?: number;
  /** 0 (default) is greedy decoding. */
  temperature?: number;
  /** 0 (default) keeps every token. */
  topK?: number;
  /** 1 (default) keeps every token. */
  topP?: number;
  /** 1 (default) is no penalty; applies to tokens this request generated. */
  repetitionPenalty?: number;
  /** Same seed, same model, same request → same text. Default 0. */
  seed?: number;
  /** Generation ends before any of these; they are not part of the text. */
  stop?: string[];
  /** Never written, case-insensitively, even across token boundaries. */
  bannedTerms?: string[];
  /** The text never exceeds this many characters; it ends at a word boundary. */
  maxChars?: number;
  /** Each term is in the text (case-insensitively): written by forcing its tokens when the budget requires. */
  requiredTerms?: string[];
  /** Never written: exclamation marks, emoji, English contractions (vetoed token by token). */
  noExclamation?: boolean;
  noEmoji?: boolean;
  noContractions?: boolean;
  /** Keep going past end-of-text tokens (benchmarks). */
  ignoreEos?: boolean;
}

export type FinishReason = 'eos' | 'stop' | 'max_tokens' | 'max_chars' | 'context' | 'constraints';

export interface GenerationResult {
  text: string;
  finishReason: FinishReason;
  promptTokens: number;
  outputTokens: number;
  modelId: string;
  /** The model is a random-weight demo model: this is not real copy. */
  isDemo: boolean;
  /** What decoding did to hold the hard rules: tokens vetoed per rule, terms forced. */
  constraints?: ConstraintReport;
}

export interface StreamedToken {
  /** 0, 1, 2… in generation order. */
  index: number;
  tokenId: number;
  /** The visible text this token added (may be empty while a word or a character is incomplete). */
  text: string;
}

function check(ok: boolean, field: string, why: string): void {
  if (!ok) throw new GenerationError(GenerationErrorCode.INVALID_PARAMETERS, `${field} ${why}`, field);
}

/** Throws INVALID_PARAMETERS naming the first bad field. */
export function validateRequest(r: GenerationRequest): void {
  check(!!r && typeof r === 'object', 'request', 'must be an object');
  check(typeof r.prompt === 'string' || (Array.isArray(r.messages) && r.messages.length > 0), 'prompt', 'or messages is required');
  if (r.messages) {
    for (const m of r.messages)
      check(
        typeof m?.content === 'string' && ['system', 'user', 'assistant'].includes(m?.role),
        'messages',
        'need a role and string content',
      );
  }
  const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  if (r.maxNewTokens !== undefined)
    check(
      Number.isInteger(r.maxNewTokens) && r.maxNewTokens >= 1 && r.maxNewTokens <= 8192,
      'maxNewTokens',
      'must be an integer from 1 to 8192',
    );
  if (r.temperature !== undefined)
    check(num(r.temperature) && r.temperature >= 0 && r.temperature <= 10, 'temperature', 'must be between 0 and 10');
  if (r.topK !== undefined) check(Number.isInteger(r.topK) && r.topK >= 0, 'topK', 'must be a non-negative integer');
  if (r.topP !== undefined) check(num(r.topP) && r.topP > 0 && r.topP <= 1, 'topP', 'must be in (0, 1]');
  if (r.repetitionPenalty !== undefined)
    check(num(r.repetitionPenalty) && r.repetitionPenalty > 0, 'repetitionPenalty', 'must be positive');
  if (r.seed !== undefined) check(Number.isInteger(r.seed), 'seed', 'must be an integer');
  if (r.maxChars !== undefined) check(Number.isInteger(r.maxChars) && r.maxChars >= 1, 'maxChars', 'must be a positive integer');
  for (const field of ['noExclamation', 'noEmoji', 'noContractions'] as const)
    if (r[field] !== undefined) check(typeof r[field] === 'boolean', field, 'must be a boolean');
  for (const [field, list] of [
    ['stop', r.stop],
    ['bannedTerms', r.bannedTerms],
    ['requiredTerms', r.requiredTerms],
  ] as const) {
    if (list !== undefined)
      check(Array.isArray(list) && list.every((s) => typeof s === 'string' && s.length > 0), field, 'must be non-empty strings');
  }
}
