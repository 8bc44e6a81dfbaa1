import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { GenerationError, GenerationErrorCode, generateVariants } from '@brandwright/generation';
import { Meter } from '@brandwright/billing';
import { TenantDb } from '../database/tenant-db';
import { Metrics } from '../metrics/metrics.service';
import { JobHandler } from '../jobs/job-handler';
import { type GenerationJobPayload, JobName } from '../jobs/job-names';
import { BrandEntity } from '../brands/brand.entity';
import { toBrandVoice } from '../brands/brands.service';
import { InferenceEngines } from './inference-engines';
import { type JobContext, type JobResults, JobRunner, NonRetryableJobError } from './job-runner';
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
    if (!brand) throw new NonRetryableJobError('BRAND_DELETED', `Brand ${row.brandId} was deleted before the job ran.`);
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
    ).catch((error: unknown) => {
      throw asJobError(error);
    });
    // The engine's text never holds U+0000 or undecodable bytes, so it is stored as written.
    const variants = result.variants;
    this.metrics.tokensGenerated(result.outputTokens, (Date.now() - started) / 1000);
    return {
      usage: { [Meter.TEXT_PROMPT_TOKENS]: result.promptTokens, [Meter.TEXT_OUTPUT_TOKENS]: result.outputTokens },
      modelId: result.modelId,
      isDemo: result.isDemo,
      summary: { variants: variants.map((v, rank) => ({ rank, text: v.text, voiceScore: v.report.score })) },
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
              status: VariantStatus.DRAFT,
            })),
          )
          .orIgnore()
          .execute();
      },
    };
  }
}

/**
 * Whether another attempt could succeed, for every engine error code (a new code must be placed
 * here or the build fails). Permanent failures end the job FAILED at once with their code.
 */
const RETRYABLE: Record<GenerationErrorCode, boolean> = {
  [GenerationErrorCode.MODEL_NOT_FOUND]: false,
  [GenerationErrorCode.MODEL_INVALID]: false,
  [GenerationErrorCode.MODEL_UNSUPPORTED]: false,
  [GenerationErrorCode.PROMPT_TOO_LONG]: false,
  [GenerationErrorCode.INVALID_PARAMETERS]: false,
  [GenerationErrorCode.UNKNOWN_CHANNEL]: false,
  // The same prompt on the same model fails the same way (e.g. ids the model cannot embed).
  [GenerationErrorCode.INFERENCE_FAILED]: false,
  [GenerationErrorCode.DOWNLOAD_FAILED]: false,
  [GenerationErrorCode.INTEGRITY_MISMATCH]: false,
  // A stuck thread was replaced; the next attempt runs on a fresh one.
  [GenerationErrorCode.GENERATION_STALLED]: true,
  [GenerationErrorCode.CANCELLED]: true,
  [GenerationErrorCode.ENGINE_CLOSED]: true,
  [GenerationErrorCode.INTERNAL]: true,
};

function asJobError(error: unknown): unknown {
  if (error instanceof GenerationError && !RETRYABLE[error.code]) return new NonRetryableJobError(error.code, error.message);
  return error;
}
