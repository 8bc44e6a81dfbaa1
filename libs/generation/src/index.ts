// @brandwright/generation: the public API the api and worker processes use.

// Model store, hub pull, tiny models
export { DEFAULT_MODEL_DIR, DEMO_MODEL_ID, listModels, resolveTextModel, type StoredModel } from './models/model-store';
export { pullModel, listHubFiles, type PullOptions, type PullProgress, type HubFile } from './models/model-pull';
export { buildTinyTextModel, isOutdatedTinyDemo, type TinyTextModelOptions, type TinyModelSize } from './models/tiny-text-model';
export { OnnxGraph, writeOnnxModel, attr, toFloat16Array, fromFloat16Bits } from './models/onnx-builder';

// Text engine
export { TextEngine, type TextEngineOptions, type GenerateOptions } from './text/text-engine';
export { GenerationError, GenerationErrorCode } from './text/generation-error';
export type { GenerationRequest, GenerationResult, StreamedToken, FinishReason } from './text/generation-request';
export type { ChatMessage } from './text/text-tokenizer';
export type { ExecutionProviderChoice } from './runtime/execution-provider';

// Brand voice
export type { BrandVoice, BrandVisuals, StyleRules, ToneTrait, TextCase } from './voice/brand-voice';
export { CHANNEL_SPECS, CHANNEL_IDS, isChannelId, type ChannelId, type ChannelSpec } from './voice/channel-specs';
export { buildCopyPrompt, type CopyBrief } from './voice/copy-prompt';
export {
  buildVoiceReport,
  readingGrade,
  GOOD_SCORE,
  FAILING_SCORE_CAP,
  HARD_RULES,
  type VoiceReport,
  type VoiceCheck,
  type VoiceAction,
  type VoiceRule,
} from './voice/voice-report';
export { applyHeadlineCase, followsHeadlineCase } from './voice/headline-case';
export { learnVoice, pickExemplars, type VoiceProposal, type Proposal, type ExemplarProposal } from './voice/learn-voice';
export {
  voiceSimilarity,
  charNgramSimilarity,
  stylometricSimilarity,
  memorisation,
  wordOverlap,
  type Memorisation,
} from './voice/voice-similarity';
export type { ConstraintReport } from './text/output-constraints';
export {
  generateVariants,
  type VariantsRequest,
  type VariantsResult,
  type CopyVariant,
  type VariantsOptions,
} from './voice/generate-variants';

// Ad images: diffusion, the built-in brand generator, the compositor
export * from './image';
