/** Ad images: diffusion on ONNX Runtime, the built-in brand generator, and the ad compositor. */
export { ImageError, ImageErrorCode } from './image-error';
export { AD_FORMATS, AD_FORMAT_IDS, adFormat, type AdFormat, type AdFormatId, type AdLayout } from './ad-formats';
export type { AdCopy, Box, TextRole } from './ad-layout';
export { prepareBrandAssets, type BrandAssets, type BrandAssetOptions } from './brand-assets';
export {
  brandCheck,
  paletteAdherence,
  type BrandCheckReport,
  type BrandCheckIssue,
  type TextRegionReport,
  type PaletteAdherence,
} from './brand-check';
export { parseHexColour, MIN_TEXT_CONTRAST, type Rgb } from './colour';
export { composeAdCreative, type AdCreative, type ComposeAdInput, type PictureInput } from './compositor';
export { BUNDLED_FONT_FAMILY, bundledFontFace, loadFontFace, FontFace, type FontSource } from './font-face';
export {
  generateAdCreatives,
  type AdCreativesRequest,
  type AdCreativesProgress,
  type AdCreativeVariant,
  type PictureSource,
} from './generate-ad-creatives';
export { MAX_IMAGE_SIDE, type GeneratedPicture, type ImageHooks, type ImageProgress, type ImageRequest } from './generation-request';
export { TRAINED_ALGORITHMIC_MEDIA, embedXmpInPng, provenanceRecord, sha256Hex, xmpPacket, type ProvenanceRecord } from './provenance';
export { ImageEngine, type ImageEngineOptions } from './engine/image-engine';
export type { EngineInfo } from './engine/worker-protocol';
export { consoleLogger, silentLogger, type EngineLogger } from './engine/open-session';
export { CppnGenerator } from './cppn/cppn-generator';
export { CPPN_MODEL_ID, CPPN_VERSION } from './cppn/cppn-graph';
export { DiffusionPipeline } from './diffusion/diffusion-pipeline';
export { ClipTokenizer } from './diffusion/clip-tokenizer';
export { SCHEDULER_NAMES, STEP_LIMITS, createSampler, type SchedulerName, type SchedulerConfig } from './diffusion/schedulers';
