import { Args, Context, ID, Mutation, ObjectType, Parent, Query, ResolveField, Resolver, Subscription } from '@nestjs/graphql';
import type { Readable } from 'node:stream';
import { Access, BrandScoped, CurrentActor } from '../common/auth/decorators';
import { PlanLimited } from '../common/rate-limit/call-admission';
import { type Actor, ApiKeyScope, Role } from '../common/auth/actor';
import { ConnectionOf, PageArgs } from '../common/pagination/pagination';
import { validate } from '../common/validation/validate';
import { name, text, uuid } from '../common/validation/fields';
import { AppConfig } from '../config/config';
import { AssetModel } from '../assets/asset.model';
import { AssetsService } from '../assets/assets.service';
import { GenerationService } from './generation.service';
import { CopyVariantModel, GenerationJobModel, GenerationUpdateModel } from './generation.model';
import { FINAL_STATUSES, type GenerationJobEntity } from './generation-job.entity';
import { type GenerationUpdatePayload, generationTopic } from './generation-update';
import {
  GenerateAdImagesInput,
  GenerateCopyInput,
  JobFilter,
  generateAdImagesSchema,
  generateCopySchema,
  jobFilterSchema,
} from './dto/generation.inputs';
import { VariantStatus } from './copy-variant.entity';

/** An edited variant's text: not empty, and no longer than any channel allows. */
const variantText = name(5000);

@ObjectType()
export class GenerationJobConnection extends ConnectionOf(GenerationJobModel, 'GenerationJobConnection') {}

interface SubscriptionContext {
  pubsub: { subscribe(topic: string): Promise<Readable & { close?: Array<() => void> }> };
}

/** The job's current state first (a late subscriber still learns it), then live updates until it ends. */
async function* snapshotThenLive(
  row: GenerationJobEntity,
  live: Readable & { close?: Array<() => void> },
): AsyncGenerator<GenerationUpdatePayload> {
  try {
    yield {
      jobId: row.id,
      status: row.status,
      progress: row.progress,
      token: null,
      errorCode: row.errorCode,
      errorMessage: row.errorMessage,
    };
    if (FINAL_STATUSES.includes(row.status)) return;
    for await (const update of live as AsyncIterable<GenerationUpdatePayload>) {
      yield update;
      if (FINAL_STATUSES.includes(update.status)) return;
    }
  } finally {
    for (const close of live.close ?? []) close();
  }
}

/** Jobs and their results belong to a brand: a brand-limited key may use all of these, on its brands. */
@BrandScoped()
@Resolver(() => GenerationJobModel)
export class GenerationResolver {
  constructor(
    private readonly service: GenerationService,
    private readonly assetFiles: AssetsService,
    private readonly config: AppConfig,
  ) {}

  @PlanLimited()
  @Access(Role.EDITOR, ApiKeyScope.GENERATE)
  @Mutation(() => GenerationJobModel, {
    description: 'Queues copy in the brand’s voice; returns the job at once. Follow it with generationUpdated.',
  })
  generateCopy(@CurrentActor() actor: Actor, @Args('input') raw: GenerateCopyInput): Promise<GenerationJobModel> {
    return this.service.generateCopy(actor, validate(generateCopySchema(this.config.values.MAX_COPY_VARIANTS), raw));
  }

  @PlanLimited()
  @Access(Role.EDITOR, ApiKeyScope.GENERATE)
  @Mutation(() => GenerationJobModel, { description: 'Queues ad creatives in each format; returns the job at once.' })
  generateAdImages(@CurrentActor() actor: Actor, @Args('input') raw: GenerateAdImagesInput): Promise<GenerationJobModel> {
    return this.service.generateAdImages(actor, validate(generateAdImagesSchema(this.config.values.MAX_IMAGE_VARIANTS), raw));
  }

  @Access(Role.VIEWER, ApiKeyScope.READ)
  @Query(() => GenerationJobModel)
  job(@Args('id', { type: () => ID }) id: string): Promise<GenerationJobModel> {
    return this.service.get(validate(uuid, id, 'id'));
  }

  @Access(Role.VIEWER, ApiKeyScope.READ)
  @Query(() => GenerationJobConnection, { description: 'Generation jobs, newest first.' })
  jobs(
    @Args({ type: () => PageArgs }) page: PageArgs,
    @Args('filter', { type: () => JobFilter, nullable: true }) filter?: JobFilter,
  ): Promise<GenerationJobConnection> {
    return this.service.list(validate(jobFilterSchema, filter ?? {}, 'filter'), page.first, page.after) as Promise<GenerationJobConnection>;
  }

  @Access(Role.EDITOR, ApiKeyScope.GENERATE)
  @Mutation(() => GenerationJobModel, { description: 'Cancels a queued job at once; asks the worker running a job to stop.' })
  cancelJob(@Args('id', { type: () => ID }) id: string): Promise<GenerationJobModel> {
    return this.service.cancel(validate(uuid, id, 'id'));
  }

  @Access(Role.EDITOR, ApiKeyScope.GENERATE)
  @Mutation(() => CopyVariantModel)
  approveVariant(
    @Args('id', { type: () => ID }) id: string,
    @Args('reason', {
      type: () => String,
      nullable: true,
      description: 'Why a variant that breaks a hard rule of the voice is approved anyway; required for those.',
    })
    reason?: string | null,
  ): Promise<CopyVariantModel> {
    return this.service.setVariantStatus(
      validate(uuid, id, 'id'),
      VariantStatus.APPROVED,
      validate(text(1000).nullish(), reason, 'reason'),
    );
  }

  @Access(Role.EDITOR, ApiKeyScope.GENERATE)
  @Mutation(() => CopyVariantModel, { description: 'Sends a DRAFT or CHANGES_REQUESTED variant for review (IN_REVIEW).' })
  submitVariantForReview(@Args('id', { type: () => ID }) id: string): Promise<CopyVariantModel> {
    return this.service.moveVariantInReview(validate(uuid, id, 'id'), VariantStatus.IN_REVIEW);
  }

  @Access(Role.EDITOR, ApiKeyScope.GENERATE)
  @Mutation(() => CopyVariantModel, { description: 'Sends a variant IN_REVIEW back for changes (CHANGES_REQUESTED).' })
  requestVariantChanges(@Args('id', { type: () => ID }) id: string): Promise<CopyVariantModel> {
    return this.service.moveVariantInReview(validate(uuid, id, 'id'), VariantStatus.CHANGES_REQUESTED);
  }

  @Access(Role.EDITOR, ApiKeyScope.GENERATE)
  @Mutation(() => CopyVariantModel, {
    description: 'A new version of the text: the variant goes back to DRAFT, and an earlier approval shows as superseded.',
  })
  editVariant(@Args('id', { type: () => ID }) id: string, @Args('text') raw: string): Promise<CopyVariantModel> {
    return this.service.editVariant(validate(uuid, id, 'id'), validate(variantText, raw, 'text'));
  }

  @Access(Role.EDITOR, ApiKeyScope.GENERATE)
  @Mutation(() => CopyVariantModel)
  rejectVariant(@Args('id', { type: () => ID }) id: string): Promise<CopyVariantModel> {
    return this.service.setVariantStatus(validate(uuid, id, 'id'), VariantStatus.REJECTED);
  }

  @Access(Role.VIEWER, ApiKeyScope.READ)
  @Subscription(() => GenerationUpdateModel, {
    description: 'The job’s status and progress, and each text token as it is written (in order), until the job ends.',
    resolve: (payload: GenerationUpdatePayload) => payload,
  })
  async generationUpdated(
    @CurrentActor() actor: Actor,
    @Args('jobId', { type: () => ID }) jobId: string,
    @Context() context: SubscriptionContext,
  ): Promise<AsyncIterator<GenerationUpdatePayload>> {
    const id = validate(uuid, jobId, 'jobId');
    await this.service.getForActor(actor, id); // NOT_FOUND before subscribing to anything
    const live = await context.pubsub.subscribe(generationTopic(id));
    // The snapshot is read after subscribing, so no update falls between the two.
    return snapshotThenLive(await this.service.getForActor(actor, id), live);
  }

  @Access(Role.VIEWER, ApiKeyScope.READ)
  @ResolveField(() => [CopyVariantModel])
  variants(@Parent() job: GenerationJobModel): Promise<CopyVariantModel[]> {
    return this.service.variantsOfJob(job.id);
  }

  @Access(Role.VIEWER, ApiKeyScope.READ)
  @ResolveField(() => [AssetModel])
  assets(@Parent() job: GenerationJobModel): Promise<AssetModel[]> {
    return this.assetFiles.list({ jobId: job.id });
  }
}
