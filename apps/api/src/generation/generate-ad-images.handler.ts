import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { AD_FORMATS, generateAdCreatives } from '@brandwright/generation';
import { imageMeterFor, type UsageEstimate } from '@brandwright/billing';
import { TenantDb } from '../database/tenant-db';
import { Metrics } from '../metrics/metrics.service';
import { JobHandler } from '../jobs/job-handler';
import { type GenerationJobPayload, JobName } from '../jobs/job-names';
import { BrandEntity } from '../brands/brand.entity';
import { ASSET_STORAGE, type AssetStorage } from '../assets/asset-storage';
import { AssetEntity, AssetFileKind } from '../assets/asset.entity';
import { InferenceEngines } from './inference-engines';
import { type JobContext, type JobResults, JobRunner } from './job-runner';
import { AppError, ErrorCode } from '../common/errors/app-error';
import type { AdImagesJobInput } from './job-input';

const FILES = [
  { kind: AssetFileKind.PNG, ext: 'png', mime: 'image/png' },
  { kind: AssetFileKind.WEBP, ext: 'webp', mime: 'image/webp' },
  { kind: AssetFileKind.THUMBNAIL, ext: 'thumb.webp', mime: 'image/webp' },
] as const;

/**
 * generate-ad-images: pictures (diffusion, or the built-in generator), composed into each format.
 * Files are written to storage first under keys fixed by job, variant and format (a re-run
 * overwrites the same files), then the rows are stored with the job's completion.
 */
@JobHandler(JobName.GENERATE_AD_IMAGES)
@Injectable()
export class GenerateAdImagesHandler implements JobHandler<GenerationJobPayload> {
  constructor(
    private readonly db: TenantDb,
    private readonly engines: InferenceEngines,
    @Inject(ASSET_STORAGE) private readonly storage: AssetStorage,
    private readonly runner: JobRunner,
    private readonly metrics: Metrics,
  ) {}

  process(job: Job<GenerationJobPayload>, token: string | undefined): Promise<void> {
    return this.runner.run(job, token, (context) => this.generate(context));
  }

  failedForGood(job: Job<GenerationJobPayload>, error: Error): Promise<void> {
    return this.runner.lost(job.data, error);
  }

  async generate({ row, signal, progress }: JobContext): Promise<JobResults> {
    const started = Date.now();
    const input = row.input as unknown as AdImagesJobInput;
    const brand = await this.db.with({ workspaceId: row.workspaceId }, (db) =>
      db.findOne(BrandEntity, {
        where: { id: row.brandId },
        select: { id: true, palette: true, headingFont: true, bodyFont: true, logo: true },
      }),
    );
    if (!brand) throw new AppError(ErrorCode.NOT_FOUND, `Brand ${row.brandId} was deleted before the job ran.`, {}, 'BRAND_DELETED');
    const engine = await this.engines.imageEngine();
    const variants = await generateAdCreatives(
      {
        engine,
        brandVisuals: { palette: brand.palette, headingFont: brand.headingFont, bodyFont: brand.bodyFont, logo: brand.logo },
        prompt: input.prompt,
        formats: input.formats,
        headline: input.headline,
        subline: input.subline,
        cta: input.cta,
        variants: input.variants,
        seed: input.seed,
      },
      { signal, onProgress: (p) => progress(Math.min(0.95, p.fraction)) },
    );
    const rows: Array<Partial<AssetEntity>> = [];
    const usage: UsageEstimate = {};
    for (const variant of variants) {
      for (const creative of variant.creatives) {
        const meter = imageMeterFor(creative.width, creative.height);
        usage[meter] = (usage[meter] ?? 0) + 1;
        for (const file of FILES) {
          const bytes =
            file.kind === AssetFileKind.PNG ? creative.png : file.kind === AssetFileKind.WEBP ? creative.webp : creative.thumbnail;
          const storageKey = `${row.workspaceId}/${row.id}/${variant.variant}/${creative.format}.${file.ext}`;
          await this.storage.put(storageKey, bytes, file.mime);
          rows.push({
            workspaceId: row.workspaceId,
            jobId: row.id,
            brandId: row.brandId,
            campaignId: row.campaignId,
            variant: variant.variant,
            format: creative.format,
            fileKind: file.kind,
            storageKey,
            mimeType: file.mime,
            width:
              file.kind === AssetFileKind.THUMBNAIL
                ? Math.round((creative.width * 320) / Math.max(creative.width, creative.height))
                : AD_FORMATS[creative.format].width,
            height:
              file.kind === AssetFileKind.THUMBNAIL
                ? Math.round((creative.height * 320) / Math.max(creative.width, creative.height))
                : AD_FORMATS[creative.format].height,
            sizeBytes: bytes.length,
            brandCheck: file.kind === AssetFileKind.PNG ? (creative.brandCheck as unknown as Record<string, unknown>) : null,
            provenance: creative.provenance as unknown as Record<string, unknown>,
          });
        }
      }
    }
    this.metrics.imagesGenerated(
      Object.values(usage).reduce((sum, n) => sum + (n ?? 0), 0),
      (Date.now() - started) / 1000,
    );
    return {
      usage,
      modelId: engine.info.modelId,
      isDemo: engine.info.isDemo,
      summary: { assets: rows.filter((r) => r.fileKind === AssetFileKind.PNG).map((r) => ({ variant: r.variant, format: r.format })) },
      write: async (db) => {
        await db
          .createQueryBuilder()
          .insert()
          .into(AssetEntity)
          .values(rows as never[])
          .orIgnore()
          .execute();
      },
    };
  }
}
