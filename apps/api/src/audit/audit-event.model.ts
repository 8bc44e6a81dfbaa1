import { Field, GraphQLISODateTime, ID, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { z } from 'zod';
import { uuid } from '../common/validation/fields';
import { ConnectionOf } from '../common/pagination/pagination';

export enum AuditActorKind {
  MEMBER = 'MEMBER',
  API_KEY = 'API_KEY',
  SYSTEM = 'SYSTEM',
  ANONYMOUS = 'ANONYMOUS',
}
registerEnumType(AuditActorKind, {
  name: 'AuditActorKind',
  description: 'Who acted: a member, an API key, or the system itself (webhooks, workers).',
});

export enum AuditOutcome {
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}
registerEnumType(AuditOutcome, { name: 'AuditOutcome' });

export enum AuditExportFormat {
  CSV = 'CSV',
  JSONL = 'JSONL',
}
registerEnumType(AuditExportFormat, { name: 'AuditExportFormat', description: 'CSV with a header row, or one JSON object per line.' });

@ObjectType('AuditEvent', { description: 'One entry of the append-only audit log.' })
export class AuditEventModel {
  @Field(() => ID)
  id: string;

  @Field(() => GraphQLISODateTime)
  createdAt: Date;

  @Field(() => AuditActorKind)
  actorKind: AuditActorKind;

  @Field(() => ID, { nullable: true, description: 'The member, or the member who created the API key.' })
  actorUserId: string | null;

  @Field(() => ID, { nullable: true })
  actorApiKeyId: string | null;

  @Field(() => String, { nullable: true, description: 'The member’s role at the time.' })
  actorRole: string | null;

  @Field({ description: 'The GraphQL operation (`approveVariant`) or system event (`billing.subscriptionChanged`).' })
  operation: string;

  @Field(() => String, { nullable: true })
  entityType: string | null;

  @Field(() => String, { nullable: true })
  entityId: string | null;

  @Field(() => String, { nullable: true, description: 'SHA-256 of the content before the change, where there is content.' })
  beforeHash: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'SHA-256 of the content after the change (an approval: of the exact version approved).',
  })
  afterHash: string | null;

  @Field(() => AuditOutcome)
  outcome: AuditOutcome;

  @Field(() => String, { nullable: true, description: 'The error code a failed operation ended with.' })
  errorCode: string | null;

  @Field(() => String, { nullable: true })
  requestId: string | null;
}

@ObjectType()
export class AuditEventConnection extends ConnectionOf(AuditEventModel, 'AuditEventConnection') {}

@InputType()
export class AuditEventFilter {
  @Field({ nullable: true })
  operation?: string;

  @Field({ nullable: true })
  entityType?: string;

  @Field({ nullable: true })
  entityId?: string;

  @Field(() => ID, { nullable: true })
  actorUserId?: string;

  @Field(() => ID, { nullable: true })
  actorApiKeyId?: string;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'From this time, inclusive.' })
  since?: Date;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Before this time.' })
  until?: Date;
}

export const auditEventFilterSchema = z
  .object({
    operation: z.string().max(200).optional(),
    entityType: z.string().max(200).optional(),
    entityId: z.string().max(200).optional(),
    actorUserId: uuid.optional(),
    actorApiKeyId: uuid.optional(),
    since: z.date().optional(),
    until: z.date().optional(),
  })
  .refine((f) => !f.since || !f.until || f.since < f.until, { message: 'must be after since', path: ['until'] });
