/**
 * The job worker's entry point for copy: N distinct variants for one brand, channel and brief,
 * generated concurrently (they share forward passes), each with a voice report, ranked by voice
 * score. Every hard rule is held by decoding (banned terms, the limit, exclamation marks, emoji,
 * contractions vetoed; required terms forced) or by exact rewriting (headline case). A variant
 * that still breaks a hard rule is generated again with another seed, up to HARD_RULE_TRIES
 * times; one still breaking it after that is returned as failing (passesHardRules false), never
 * as passing.
 */
import type { BrandVoice } from './brand-voice';
import { CHANNEL_SPECS, isChannelId, type ChannelId } from './channel-specs';
import { budgetCopyPrompt } from './prompt-budget';
import { brandTerms, buildVoiceReport, type VoiceReport } from './voice-report';
import { applyHeadlineCase } from './headline-case';
import { GenerationError, GenerationErrorCode } from '../text/generation-error';
import type { TextEngine } from '../text/text-engine';
import type { GenerationResult, StreamedToken } from '../text/generation-request';

export interface VariantsRequest {
  brand: BrandVoice;
  channel: ChannelId;
  brief: string;
  /** How many distinct variants (1–20, default 3). */
  variants?: number;
  seed?: number;
  language?: string;
  /** Sampling temperature (default 0.8; variants need some randomness to differ). */
  temperature?: number;
}

export interface CopyVariant {
  text: string;
  report: VoiceReport;
  /** Every hard rule holds (report.hardRulesPassed); false only after HARD_RULE_TRIES generations. */
  passesHardRules: boolean;
  seed: number;
  outputTokens: number;
}

export interface VariantsResult {
  /** Passing variants first, then best voice score first. */
  variants: CopyVariant[];
  /** Billing: prompt tokens across every generation run, retries included. */
  promptTokens: number;
  outputTokens: number;
  modelId: string;
  isDemo: boolean;
}

export interface VariantsOptions {
  /** Streams tokens per variant (index into the request's seeds, 0-based). */
  onToken?: (variant: number, token: StreamedToken) => void;
  signal?: AbortSignal;
}

/** Engine-like: the TextEngine, or anything with its generate(), token counting and context length. */
type Generator = Pick<TextEngine, 'generate' | 'countTokens' | 'contextLength'>;

/** Generations per variant before one that breaks a hard rule is kept as failing. */
export const HARD_RULE_TRIES = 4;

export async function generateVariants(
  engine: Generator,
  request: VariantsRequest,
  options: VariantsOptions = {},
): Promise<VariantsResult> {
  if (!isChannelId(request.channel)) {
    throw new GenerationError(GenerationErrorCode.UNKNOWN_CHANNEL, `unknown channel "${request.channel}"`, 'channel');
  }
  const count = request.variants ?? 3;
  if (!Number.isInteger(count) || count < 1 || count > 20) {
    throw new GenerationError(GenerationErrorCode.INVALID_PARAMETERS, 'variants must be an integer from 1 to 20', 'variants');
  }
  if (!request.brief?.trim()) throw new GenerationError(GenerationErrorCode.INVALID_PARAMETERS, 'brief is required', 'brief');
  const channel = CHANNEL_SPECS[request.channel];
  const prompt = await budgetCopyPrompt(
    { brand: request.brand, channel, brief: request.brief, language: request.language },
    channel.maxNewTokens,
    { contextLength: engine.contextLength, countTokens: (m) => engine.countTokens(m) },
  );
  const { messages } = prompt;
  const baseSeed = request.seed ?? 0;

  const rules = request.brand.styleRules;
  const caseRule = channel.headline ? rules.headlineCase : 'any';
  const seen = new Set<string>();
  const passing: CopyVariant[] = [];
  const failing: CopyVariant[] = [];
  let promptTokens = 0;
  let outputTokens = 0;
  let model: Pick<GenerationResult, 'modelId' | 'isDemo'> | null = null;
  let nextSeed = baseSeed;
  let stream = 0;
  for (let round = 0; round < HARD_RULE_TRIES && passing.length < count; round++) {
    const seeds = Array.from({ length: count - passing.length }, () => nextSeed++);
    const results = await Promise.all(
      seeds.map((seed) => {
        const slot = stream++;
        return engine.generate(
          {
            messages,
            seed,
            temperature: request.temperature ?? 0.8,
            topP: 0.95,
            repetitionPenalty: 1.1,
            maxNewTokens: channel.maxNewTokens,
            maxChars: channel.maxChars,
            bannedTerms: request.brand.bannedTerms,
            requiredTerms: request.brand.requiredTerms,
            noExclamation: !rules.exclamationMarks,
            noEmoji: !rules.emoji,
            noContractions: !rules.contractions,
            stop: ['\n\n'],
          },
          { signal: options.signal, onToken: options.onToken ? (t) => options.onToken!(slot, t) : undefined },
        );
      }),
    );
    results.forEach((result, i) => {
      promptTokens += result.promptTokens;
      outputTokens += result.outputTokens;
      model = result;
      // Headline case is an exact rewrite: it changes letters' case only, never the length.
      const text = applyHeadlineCase(result.text, caseRule, brandTerms(request.brand));
      const key = text.toLowerCase().replace(/\s+/g, ' ').trim();
      if (!key || seen.has(key)) return;
      seen.add(key);
      const report = buildVoiceReport(text, request.brand, channel, prompt, {
        constraints: result.constraints,
        caseRewritten: text !== result.text,
        attempts: round + 1,
      });
      const variant = { text, report, passesHardRules: report.hardRulesPassed, seed: seeds[i], outputTokens: result.outputTokens };
      (variant.passesHardRules ? passing : failing).push(variant);
    });
  }
  const byScore = (a: CopyVariant, b: CopyVariant) => b.report.score - a.report.score || a.seed - b.seed;
  const kept = failing.sort(byScore).slice(0, Math.max(0, count - passing.length));
  // A failing variant stands for its slot, which had every try.
  for (const v of kept) {
    v.report.actions = [
      ...v.report.actions.filter((a) => a.rule !== 'retries'),
      { rule: 'retries', label: `Generated ${HARD_RULE_TRIES} times; still breaks a hard rule` },
    ];
  }
  const variants = [...passing.sort(byScore), ...kept];
  return { variants, promptTokens, outputTokens, modelId: model!.modelId, isDemo: model!.isDemo };
}
