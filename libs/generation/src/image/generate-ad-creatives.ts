/**
 * The job worker's one call for ad images: for each variant, a picture (diffusion, or the
 * built-in brand generator), then every requested format composed from it, each with PNG, WebP,
 * thumbnail, brand check and provenance.
 */
import { adFormat, type AdFormatId } from './ad-formats';
import type { AdCopy } from './ad-layout';
import { prepareBrandAssets, type BrandAssetOptions } from './brand-assets';
import { composeAdCreative, type AdCreative } from './compositor';
import type { SchedulerName } from './diffusion/schedulers';
import type { GeneratedPicture, ImageRequest } from './generation-request';
import { ImageError, ImageErrorCode } from './image-error';
import { provenanceRecord, type ProvenanceRecord } from './provenance';
import type { BrandVisuals } from '../voice/brand-voice';
import type { EngineInfo } from './engine/worker-protocol';

/** What makes pictures: an ImageEngine (diffusion or built-in), or anything shaped like one. */
export interface PictureSource {
  readonly info: Pick<EngineInfo, 'kind'>;
  generate(
    request: ImageRequest,
    hooks?: { onProgress?: (p: { step: number; total: number }) => void; signal?: AbortSignal },
  ): Promise<GeneratedPicture>;
}

export interface AdCreativesRequest extends BrandAssetOptions {
  engine: PictureSource;
  brandVisuals: BrandVisuals;
  prompt: string;
  negativePrompt?: string | null;
  formats: AdFormatId[];
  headline: string;
  subline?: string | null;
  cta?: string | null;
  /** Pictures to make; variant i uses seed + i. */
  variants?: number;
  seed: number;
  /** Diffusion picture size (multiples of 8), default 512×512; the built-in generator paints each format at its own size. */
  width?: number;
  height?: number;
  steps?: number;
  guidance?: number;
  scheduler?: SchedulerName;
}

export interface AdCreativesProgress {
  variant: number;
  variants: number;
  stage: 'picture' | 'compose';
  step: number;
  total: number;
  /** Overall completion, 0..1. */
  fraction: number;
}

export interface AdCreativeVariant {
  variant: number;
  seed: number;
  creatives: Array<AdCreative & { provenance: ProvenanceRecord }>;
}

function throwIfCancelled(signal?: AbortSignal): void {
  if (signal?.aborted) throw new ImageError(ImageErrorCode.CANCELLED, 'ad image generation was cancelled');
}

export async function generateAdCreatives(
  request: AdCreativesRequest,
  hooks: { onProgress?: (progress: AdCreativesProgress) => void; signal?: AbortSignal } = {},
): Promise<AdCreativeVariant[]> {
  const variants = request.variants ?? 1;
  if (!Number.isInteger(variants) || variants < 1 || variants > 16) {
    throw new ImageError(ImageErrorCode.INVALID_REQUEST, `variants must be 1–16, not ${variants}`, 'variants');
  }
  if (request.formats.length === 0) throw new ImageError(ImageErrorCode.INVALID_REQUEST, 'no ad formats requested', 'formats');
  const formats = request.formats.map(adFormat);
  const assets = await prepareBrandAssets(request.brandVisuals, request);
  const copy: AdCopy = { headline: request.headline, subline: request.subline, cta: request.cta };
  const perFormatPictures = request.engine.info.kind === 'cppn';
  const picturesPerVariant = perFormatPictures ? formats.length : 1;
  const unitsPerVariant = picturesPerVariant + formats.length;
  const report = (variant: number, stage: AdCreativesProgress['stage'], step: number, total: number, unitsDone: number) =>
    hooks.onProgress?.({
      variant,
      variants,
      stage,
      step,
      total,
      fraction: (variant * unitsPerVariant + unitsDone) / (variants * unitsPerVariant),
    });

  const results: AdCreativeVariant[] = [];
  for (let v = 0; v < variants; v++) {
    const seed = (request.seed + v) >>> 0;
    const creatives: AdCreativeVariant['creatives'] = [];
    let units = 0;
    let shared: GeneratedPicture | null = null;
    for (const format of formats) {
      throwIfCancelled(hooks.signal);
      let picture: GeneratedPicture | null = shared;
      if (!picture) {
        const done = units;
        picture = await request.engine.generate(
          {
            prompt: request.prompt,
            negativePrompt: request.negativePrompt,
            width: perFormatPictures ? format.width : (request.width ?? 512),
            height: perFormatPictures ? format.height : (request.height ?? 512),
            steps: request.steps,
            guidance: request.guidance,
            scheduler: request.scheduler,
            seed,
            palette: request.brandVisuals.palette,
          },
          { signal: hooks.signal, onProgress: (p) => report(v, 'picture', p.step, p.total, done + p.step / p.total) },
        );
        units++;
        if (!perFormatPictures) shared = picture;
      }
      throwIfCancelled(hooks.signal);
      const provenance = provenanceRecord({
        modelId: picture.modelId,
        modelVersion: picture.modelVersion,
        scheduler: picture.scheduler,
        steps: picture.steps,
        guidance: picture.guidance,
        seed: picture.seed,
        width: picture.width,
        height: picture.height,
        prompt: request.prompt,
        negativePrompt: request.negativePrompt,
      });
      creatives.push(
        await composeAdCreative({
          picture: { data: picture.rgb, width: picture.width, height: picture.height, channels: 3 },
          format: format.id,
          brand: request.brandVisuals,
          copy,
          provenance,
          assets,
        }),
      );
      units++;
      report(v, 'compose', creatives.length, formats.length, units);
    }
    results.push({ variant: v, seed, creatives });
  }
  return results;
}
