import { CHANNEL_SPECS, buildVoiceReport, generateVariants } from '@brandwright/generation';
import { Meter } from '@brandwright/billing';
import type { TenantDb } from '../database/tenant-db';
import { BrandEntity } from '../brands/brand.entity';
import { toBrandVoice } from '../brands/brands.service';
import type { InferenceEngines } from './inference-engines';
import { type JobContext, type JobResults, NonRetryableJobError } from './job-runner';
import type { CopyJobInput } from './job-input';
import { CopyVariantEntity, VariantStatus } from './copy-variant.entity';

/**
 * PostgreSQL text and jsonb cannot hold U+0000, and U+FFFD only marks bytes that were not valid
 * UTF-8: neither belongs in copy (a random-weight demo model writes both).
 */
const storable = (text: string) => text.replaceAll('\u0000', '').replaceAll('\uFFFD', '');

/**
 * generate-copy: the brand's voice and the channel's limits into N ranked variants, streamed
 * token by token. Concurrent jobs share the process's one TextEngine (continuous batching).
 */
export class GenerateCopyHandler {
  constructor(
    private readonly db: TenantDb,
    private readonly engines: InferenceEngines,
  ) {}

  async handle({ row, signal, token, progress }: JobContext): Promise<JobResults> {
    const input = row.input as unknown as CopyJobInput;
    const brand = await this.db.with({ workspaceId: row.workspaceId }, (db) => db.findOne(BrandEntity, { where: { id: row.brandId } }));
    if (!brand) throw new NonRetryableJobError('BRAND_DELETED', `Brand ${row.brandId} was deleted before the job ran.`);
    const engine = await this.engines.textEngine();
    const voice = toBrandVoice(brand);
    let tokens = 0;
    const result = await generateVariants(
      engine,
      { brand: voice, channel: input.channel, brief: input.brief, variants: input.variants, seed: input.seed, language: input.language },
      {
        signal,
        onToken: (variant, t) => {
          tokens += 1;
          if (storable(t.text)) token(variant, t.index, storable(t.text));
          if (tokens % 16 === 0) progress(Math.min(0.95, tokens / (input.variants * 64)));
        },
      },
    );
    // The report describes the text as stored: rebuilt when cleaning changed it, then re-ranked.
    const variants = result.variants
      .map((v) => {
        const text = storable(v.text);
        return text === v.text ? v : { ...v, text, report: buildVoiceReport(text, voice, CHANNEL_SPECS[input.channel]) };
      })
      .sort((a, b) => b.report.score - a.report.score);
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
