import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { generateVariants } from '@brandwright/generation';
import { Meter } from '@brandwright/billing';
import { TenantDb } from '../database/tenant-db';
import { Metrics } from '../metrics/metrics.service';
import { JobHandler } from '../jobs/job-handler';
import { type GenerationJobPayload, JobName } from '../jobs/job-names';
import { BrandEntity } from '../brands/brand.entity';
import { toBrandVoice } from '../brands/brands.service';
import { InferenceEngines } from './inference-engines';
import { type JobContext, type JobResults, JobRunner } from './job-runner';
import { AppError, ErrorCode } from '../common/errors/app-error';
import type { CopyJobInput } from './job-input';
import { CopyVariantEntity, VariantStatus } from './copy-variant.entity';

/**
 * generate-copy: the brand's voice and the channel's limits into N ranked variants, streamed
 * token by token. Concurrent jobs share the process's one TextEngine (continuous batching).
 */
@JobHandler(JobName.GENERATE_COPY)
@Injectable()
export class GenerateCopyHandler implements JobHandler<GenerationJobPayload> {
  constructor(
    private readonly db: TenantDb,
    private readonly engines: InferenceEngines,
    private readonly runner: JobRunner,
    private readonly metrics: Metrics,
  ) {}

  process(job: Job<GenerationJobPayload>, token: string | undefined): Promise<void> {
    return this.runner.run(job, token, (context) => this.generate(context));
  }

  failedForGood(job: Job<GenerationJobPayload>, error: Error): Promise<void> {
    return this.runner.lost(job.data, error);
  }

  async generate({ row, signal, token, progress }: JobContext): Promise<JobResults> {
    const started = Date.now();
    const input = row.input as unknown as CopyJobInput;
    const brand = await this.db.with({ workspaceId: row.workspaceId }, (db) => db.findOne(BrandEntity, { where: { id: row.brandId } }));
    if (!brand) throw new AppError(ErrorCode.NOT_FOUND, `Brand ${row.brandId} was deleted before the job ran.`, {}, 'BRAND_DELETED');
    const engine = await this.engines.textEngine();
    let tokens = 0;
    const result = await generateVariants(
      engine,
      {
        brand: toBrandVoice(brand),
        channel: input.channel,
        brief: input.brief,
        variants: input.variants,
        seed: input.seed,
        language: input.language,
      },
      {
        signal,
        onToken: (variant, t) => {
          tokens += 1;
          if (t.text) token(variant, t.index, t.text);
          if (tokens % 16 === 0) progress(Math.min(0.95, tokens / (input.variants * 64)));
        },
      },
    );
    // The engine's text never holds U+0000 or undecodable bytes, so it is stored as written.
    const variants = result.variants;
    this.metrics.tokensGenerated(result.outputTokens, (Date.now() - started) / 1000);
    return {
      usage: { [Meter.TEXT_PROMPT_TOKENS]: result.promptTokens, [Meter.TEXT_OUTPUT_TOKENS]: result.outputTokens },
      modelId: result.modelId,
      isDemo: result.isDemo,
      summary: {
        variants: variants.map((v, rank) => ({ rank, text: v.text, voiceScore: v.report.score, passesHardRules: v.passesHardRules })),
      },
      write: async (db) => {
        await db
          .createQueryBuilder()
          .insert()
          .into(CopyVariantEntity)
          .values(
            variants.map((v, rank) => ({
              workspaceId: row.workspaceId,
              jobId: row.id,
              brandId: row.brandId,
              campaignId: row.campaignId,
              channel: input.channel,
              rank,
              text: v.text,
              seed: v.seed,
              voiceReport: v.report,
              voiceScore: Math.round(v.report.score),
              passesHardRules: v.passesHardRules,
              status: VariantStatus.DRAFT,
            })),
          )
          .orIgnore()
          .execute();
      },
    };
  }
}
