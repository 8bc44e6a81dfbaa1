/**
 * The job worker's entry point for copy: N distinct variants for one brand, channel and brief,
 * generated concurrently (they share forward passes), constrained so no banned term appears and
 * no limit is exceeded, each with a voice report, ranked by voice score.
 */
import type { BrandVoice } from './brand-voice';
import { CHANNEL_SPECS, isChannelId, type ChannelId } from './channel-specs';
import { budgetCopyPrompt } from './prompt-budget';
import { buildVoiceReport, type VoiceReport } from './voice-report';
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
  seed: number;
  outputTokens: number;
}

export interface VariantsResult {
  /** Best voice score first. */
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

const MAX_ROUNDS = 4;

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

  const seen = new Set<string>();
  const variants: CopyVariant[] = [];
  let promptTokens = 0;
  let outputTokens = 0;
  let model: Pick<GenerationResult, 'modelId' | 'isDemo'> | null = null;
  let nextSeed = baseSeed;
  let stream = 0;
  for (let round = 0; round < MAX_ROUNDS && variants.length < count; round++) {
    const seeds = Array.from({ length: count - variants.length }, () => nextSeed++);
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
      const key = result.text.toLowerCase().replace(/\s+/g, ' ').trim();
      if (!key || seen.has(key)) return;
      seen.add(key);
      variants.push({
        text: result.text,
        report: buildVoiceReport(result.text, request.brand, channel, prompt),
        seed: seeds[i],
        outputTokens: result.outputTokens,
      });
    });
  }
  variants.sort((a, b) => b.report.score - a.report.score || a.seed - b.seed);
  return { variants, promptTokens, outputTokens, modelId: model!.modelId, isDemo: model!.isDemo };
}
