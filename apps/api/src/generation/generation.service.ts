import { randomInt, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { AD_FORMATS, type AdFormatId, CHANNEL_SPECS, type ChannelId, buildVoiceReport } from '@brandwright/generation';
import { Meter, PLANS, type PlanId, imageMeterFor, release, reserveJobCredits, type UsageEstimate } from '@brandwright/billing';
import { TenantDb } from '../database/tenant-db';
import type { Actor } from '../common/auth/actor';
import { BadUserInputError, ConflictError, NotFoundError } from '../common/errors/app-error';
import { LOGGER } from '../common/logging/logger.module';
import { requestContext } from '../common/tenant/request-context';
import { type Connection, paginate } from '../common/pagination/pagination';
import { BrandsService, toBrandVoice } from '../brands/brands.service';
import { BrandEntity } from '../brands/brand.entity';
import { CampaignsService } from '../campaigns/campaigns.service';
import { FairScheduler } from './fair-scheduler';
import { GenerationEvents } from './generation-events';
import { FINAL_STATUSES, GenerationJobEntity, JobKind, JobStatus } from './generation-job.entity';
import { CopyVariantEntity, VariantStatus } from './copy-variant.entity';
import { noteForAudit } from '../audit/audit-note';
import type { AdImagesJobInput, CopyJobInput } from './job-input';
import { JobQueues } from '../jobs/job-queues';
import { queueForKind } from './job-kind-queues';
import { enqueueTraced, inSpan } from '../telemetry/job-tracing';

interface NewJob {
  kind: JobKind;
  brandId: string;
  campaignId?: string | null;
  idempotencyKey?: string | null;
  input: CopyJobInput | AdImagesJobInput;
  /** false: the seed in `input` was drawn here, so a repeat with the same key need not match it. */
  seedGiven: boolean;
  estimate: UsageEstimate;
}

/** A prompt's size before it is tokenized: the brand profile, examples and brief (≈ 4 chars a token). */
const PROMPT_TOKENS_ESTIMATE = 600;

/**
 * Creating, reading and cancelling generation jobs. A job is created in one tenant transaction
 * (validate → brand/campaign checks → credits reserved → row QUEUED) and enqueued after commit
 * with the row id as BullMQ job id; the sweeper covers a crash between the two.
 */
@Injectable()
export class GenerationService {
  constructor(
    private readonly db: TenantDb,
    private readonly brands: BrandsService,
    private readonly campaigns: CampaignsService,
    private readonly queues: JobQueues,
    private readonly fair: FairScheduler,
    private readonly events: GenerationEvents,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  generateCopy(
    actor: Actor,
    input: {
      brandId: string;
      campaignId?: string | null;
      channel: string;
      brief: string;
      variants?: number | null;
      language?: string | null;
      seed?: number | null;
      idempotencyKey?: string | null;
    },
  ) {
    const channel = CHANNEL_SPECS[input.channel as ChannelId];
    const variants = input.variants ?? 3;
    return this.create(actor, {
      kind: JobKind.COPY,
      brandId: input.brandId,
      campaignId: input.campaignId,
      idempotencyKey: input.idempotencyKey,
      input: {
        channel: channel.id,
        brief: input.brief,
        variants,
        language: input.language ?? 'en',
        seed: input.seed ?? randomInt(2 ** 31 - 1),
      },
      seedGiven: input.seed != null,
      estimate: {
        [Meter.TEXT_PROMPT_TOKENS]: PROMPT_TOKENS_ESTIMATE * variants,
        [Meter.TEXT_OUTPUT_TOKENS]: channel.maxNewTokens * variants,
      },
    });
  }

  generateAdImages(
    actor: Actor,
    input: {
      brandId: string;
      campaignId?: string | null;
      prompt: string;
      formats: string[];
      headline: string;
      subline?: string | null;
      cta?: string | null;
      variants?: number | null;
      seed?: number | null;
      idempotencyKey?: string | null;
    },
  ) {
    const variants = input.variants ?? 1;
    const formats = input.formats as AdFormatId[];
    const estimate: UsageEstimate = {};
    for (const format of formats) {
      const meter = imageMeterFor(AD_FORMATS[format].width, AD_FORMATS[format].height);
      estimate[meter] = (estimate[meter] ?? 0) + variants;
    }
    return this.create(actor, {
      kind: JobKind.AD_IMAGES,
      brandId: input.brandId,
      campaignId: input.campaignId,
      idempotencyKey: input.idempotencyKey,
      input: {
        prompt: input.prompt,
        formats,
        headline: input.headline,
        subline: input.subline ?? null,
        cta: input.cta ?? null,
        variants,
        seed: input.seed ?? randomInt(2 ** 31 - 1),
      },
      seedGiven: input.seed != null,
      estimate,
    });
  }

  private async create(actor: Actor, job: NewJob): Promise<GenerationJobEntity> {
    const workspaceId = actor.workspaceId!;
    let created: { row: GenerationJobEntity; fresh: boolean };
    try {
      created = await this.db.tx(async (db) => {
        if (job.idempotencyKey) {
          const existing = await db.findOne(GenerationJobEntity, { where: { idempotencyKey: job.idempotencyKey } });
          if (existing) return { row: this.sameRequest(existing, job), fresh: false };
        }
        await this.brands.getIn(db, job.brandId);
        if (job.campaignId) {
          const campaign = await this.campaigns.getIn(db, job.campaignId);
          if (campaign.brandId !== job.brandId) throw new BadUserInputError('input.campaignId', 'belongs to another brand');
        }
        const id = randomUUID();
        await inSpan('reserve', () => reserveJobCredits(db, { workspaceId, jobId: id, estimate: job.estimate }), { 'job.id': id });
        const row = db.create(GenerationJobEntity, {
          id,
          workspaceId,
          kind: job.kind,
          status: JobStatus.QUEUED,
          brandId: job.brandId,
          campaignId: job.campaignId ?? null,
          input: job.input as unknown as Record<string, unknown>,
          idempotencyKey: job.idempotencyKey ?? null,
          priority: await this.planWeight(db, workspaceId),
          progress: 0,
          attempts: 0,
          isDemo: false,
          createdBy: actor.kind === 'user' ? actor.userId : null,
        });
        return { row: await db.save(row), fresh: true };
      });
    } catch (error) {
      // Two requests with one key raced: the unique index let one in; return that one.
      if ((error as { code?: string }).code === '23505' && job.idempotencyKey) {
        const existing = await this.db.tx((db) => db.findOne(GenerationJobEntity, { where: { idempotencyKey: job.idempotencyKey! } }));
        if (existing) return this.sameRequest(existing, job);
      }
      throw error;
    }
    if (created.fresh) await this.enqueue(created.row);
    return created.row;
  }

  /**
   * A repeat of the request that first used this idempotency key gets that job back; anything
   * else with the same key is a CONFLICT naming the key and the first field that differs.
   */
  private sameRequest(row: GenerationJobEntity, job: NewJob): GenerationJobEntity {
    const key = job.idempotencyKey!;
    if (row.kind !== job.kind) {
      throw new ConflictError(`idempotencyKey "${key}" was already used for a ${row.kind} job; use a new key.`, 'input.idempotencyKey');
    }
    const first: Record<string, unknown> = { brandId: row.brandId, campaignId: row.campaignId ?? null, ...row.input };
    const again: Record<string, unknown> = { brandId: job.brandId, campaignId: job.campaignId ?? null, ...job.input };
    const differs = Object.keys(again).find(
      (field) => (field !== 'seed' || job.seedGiven) && JSON.stringify(first[field] ?? null) !== JSON.stringify(again[field] ?? null),
    );
    if (differs) {
      throw new ConflictError(
        `idempotencyKey "${key}" was already used for a different request (input.${differs} differs); use a new key for a new request.`,
        'input.idempotencyKey',
      );
    }
    return row;
  }

  /** The plan's queue weight (lower runs first), kept on the row for the sweeper. */
  private async planWeight(db: EntityManager, workspaceId: string): Promise<number> {
    const [account]: Array<{ plan: PlanId }> = await db.query(`SELECT plan FROM billing_accounts WHERE workspace_id = $1`, [workspaceId]);
    return PLANS[account?.plan ?? 'FREE']?.queuePriority ?? 10;
  }

  /** After commit. If Redis is down the row stays QUEUED and the sweeper enqueues it later. */
  private async enqueue(row: GenerationJobEntity): Promise<void> {
    try {
      const { queue, name } = queueForKind[row.kind];
      const priority = await this.fair.admit(row.workspaceId, row.id, row.priority);
      await enqueueTraced(queue, row.id, (trace) =>
        this.queues.addGeneration(
          queue,
          name,
          { workspaceId: row.workspaceId, jobId: row.id, requestId: requestContext.current()?.requestId, trace },
          priority,
        ),
      );
    } catch (err) {
      this.logger.warn({ err, jobId: row.id }, 'could not enqueue a job; the sweeper will');
    }
  }

  get(id: string): Promise<GenerationJobEntity> {
    return this.db.tx((db) => this.getIn(db, id));
  }

  /** For subscriptions, which run outside the request context: the actor's workspace and brands explicitly. */
  getForActor(actor: Actor, id: string): Promise<GenerationJobEntity> {
    return this.db.asActor(actor, (db) => this.getIn(db, id));
  }

  /** A job of the workspace; row-level security hides other brands' jobs from a brand-limited key. */
  async getIn(db: EntityManager, id: string): Promise<GenerationJobEntity> {
    const row = await db.findOne(GenerationJobEntity, { where: { id } });
    if (!row) throw new NotFoundError('Job', id);
    return row;
  }

  list(
    filter: { status?: JobStatus; kind?: JobKind; brandId?: string; campaignId?: string },
    first?: number,
    after?: string,
  ): Promise<Connection<GenerationJobEntity>> {
    return this.db.tx((db) => {
      const query = db.createQueryBuilder(GenerationJobEntity, 'job').where('true');
      if (filter.status) query.andWhere('job.status = :status', { status: filter.status });
      if (filter.kind) query.andWhere('job.kind = :kind', { kind: filter.kind });
      if (filter.brandId) query.andWhere('job.brand_id = :brandId', { brandId: filter.brandId });
      if (filter.campaignId) query.andWhere('job.campaign_id = :campaignId', { campaignId: filter.campaignId });
      return paginate(query, first, after);
    });
  }

  /**
   * A queued job is cancelled at once (credits released, queue entry removed); a running one is
   * asked to stop: the worker running it aborts inference and records CANCELLED.
   */
  async cancel(id: string): Promise<GenerationJobEntity> {
    const row = await this.db.tx(async (db) => {
      const job = await this.getIn(db, id);
      const locked = (await db.findOne(GenerationJobEntity, { where: { id: job.id }, lock: { mode: 'pessimistic_write' } }))!;
      if (FINAL_STATUSES.includes(locked.status)) return locked;
      locked.cancelRequestedAt ??= new Date();
      if (locked.status === JobStatus.QUEUED) {
        await release(db, { jobId: id });
        Object.assign(locked, {
          status: JobStatus.CANCELLED,
          errorCode: 'CANCELLED',
          errorMessage: 'The job was cancelled.',
          finishedAt: new Date(),
        });
      }
      return db.save(locked);
    });
    if (row.status === JobStatus.CANCELLED) {
      const { queue } = queueForKind[row.kind];
      await this.queues
        .queue(queue)
        .remove(row.id)
        .catch(() => undefined);
      await this.fair.finish(row.workspaceId, row.id).catch(() => undefined);
      await this.events.publish({
        jobId: row.id,
        status: row.status,
        progress: row.progress,
        token: null,
        errorCode: row.errorCode,
        errorMessage: row.errorMessage,
      });
    } else if (row.status === JobStatus.RUNNING) {
      await this.events.requestCancel(row.id);
    }
    return row;
  }

  variantsOfJob(jobId: string): Promise<CopyVariantEntity[]> {
    return this.db.tx(async (db) => {
      await this.getIn(db, jobId);
      return db.find(CopyVariantEntity, { where: { jobId }, order: { rank: 'ASC' } });
    });
  }

  /** `approvedOnly`: only variants whose current text is the version approved. */
  variantsOfCampaign(campaignId: string, approvedOnly = false): Promise<CopyVariantEntity[]> {
    return this.db.tx(async (db) => {
      await this.campaigns.getIn(db, campaignId);
      const query = db
        .createQueryBuilder(CopyVariantEntity, 'v')
        .where('v.campaign_id = :campaignId', { campaignId })
        .orderBy('v.created_at', 'DESC')
        .addOrderBy('v.rank', 'ASC')
        .take(500);
      if (approvedOnly) query.andWhere(`v.status = 'APPROVED' AND v.approved_hash = v.content_hash`);
      return query.getMany();
    });
  }

  /**
   * Review moves: DRAFT or CHANGES_REQUESTED → IN_REVIEW (submit); IN_REVIEW → CHANGES_REQUESTED.
   * Approving and rejecting are setVariantStatus.
   */
  moveVariantInReview(id: string, to: VariantStatus.IN_REVIEW | VariantStatus.CHANGES_REQUESTED): Promise<CopyVariantEntity> {
    const from = to === VariantStatus.IN_REVIEW ? [VariantStatus.DRAFT, VariantStatus.CHANGES_REQUESTED] : [VariantStatus.IN_REVIEW];
    return this.db.tx(async (db) => {
      const variant = await db.findOne(CopyVariantEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!variant) throw new NotFoundError('Variant', id);
      if (!from.includes(variant.status)) {
        throw new ConflictError(`this variant is ${variant.status}; only a ${from.join(' or ')} variant can move to ${to}`, 'id');
      }
      noteForAudit({ entityType: 'CopyVariant', entityId: id, beforeHash: variant.contentHash, afterHash: variant.contentHash });
      await db.update(CopyVariantEntity, { id }, { status: to });
      return db.findOneOrFail(CopyVariantEntity, { where: { id } });
    });
  }

  /**
   * A new version of the text. The database trigger moves the variant back to DRAFT and counts the
   * version; an earlier approval stays recorded, superseded (its hash no longer matches).
   */
  editVariant(id: string, text: string): Promise<CopyVariantEntity> {
    return this.db.tx(async (db) => {
      const variant = await db.findOne(CopyVariantEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!variant) throw new NotFoundError('Variant', id);
      // The voice report and the hard-rule verdict are of the new text, so an edit cannot carry a
      // failing text past the reason approval asks for.
      const brand = await db.findOneOrFail(BrandEntity, { where: { id: variant.brandId } });
      const report = buildVoiceReport(text, toBrandVoice(brand), CHANNEL_SPECS[variant.channel as ChannelId]);
      await db.update(
        CopyVariantEntity,
        { id },
        {
          text,
          voiceReport: report,
          voiceScore: report.score,
          passesHardRules: report.hardRulesPassed,
          approvalReason: null,
        },
      );
      const edited = await db.findOneOrFail(CopyVariantEntity, { where: { id } });
      noteForAudit({ entityType: 'CopyVariant', entityId: id, beforeHash: variant.contentHash, afterHash: edited.contentHash });
      return edited;
    });
  }

  /**
   * Approves or rejects a variant. A variant that breaks a hard rule of the voice can be approved
   * only with a reason, which is kept with it; a reason is never required otherwise.
   */
  setVariantStatus(id: string, status: VariantStatus, reason?: string | null): Promise<CopyVariantEntity> {
    return this.db.tx(async (db) => {
      const variant = await db.findOne(CopyVariantEntity, { where: { id } });
      if (!variant) throw new NotFoundError('Variant', id);
      const why = reason?.trim() || null;
      if (status === VariantStatus.APPROVED && !variant.passesHardRules && !why) {
        const broken = (variant.voiceReport.checks ?? []).filter((c) => !c.passed && c.hard !== false).map((c) => c.label ?? c.detail);
        throw new BadUserInputError(
          'reason',
          `this variant breaks the brand's hard rules (${broken.join('; ') || 'see its voice report'}); approving it needs a reason`,
        );
      }
      variant.status = status;
      variant.approvalReason = status === VariantStatus.APPROVED ? why : null;
      if (status === VariantStatus.APPROVED) {
        // Bound to the exact text read here; a CHECK refuses it if the text changed meanwhile.
        const actor = requestContext.current()?.actor;
        variant.approvedHash = variant.contentHash;
        variant.approvedAt = new Date();
        variant.approvedBy = actor?.kind === 'user' ? actor.userId : (actor?.createdBy ?? null);
      }
      noteForAudit({ entityType: 'CopyVariant', entityId: id, beforeHash: variant.contentHash, afterHash: variant.contentHash });
      await db.save(variant);
      return db.findOneOrFail(CopyVariantEntity, { where: { id } });
    });
  }
}
