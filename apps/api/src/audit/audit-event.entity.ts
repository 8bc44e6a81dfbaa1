import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type AuditActorKind = 'MEMBER' | 'API_KEY' | 'SYSTEM' | 'ANONYMOUS';
export type AuditOutcome = 'SUCCEEDED' | 'FAILED';

/** One row of the append-only audit log (migrations/…-audit-events.ts): who did what, when. */
@Entity('audit_events')
export class AuditEventEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** NULL only for events outside any workspace (a refused session refresh); never read through the api. */
  @Column('uuid', { name: 'workspace_id', nullable: true })
  workspaceId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column('text', { name: 'actor_kind' })
  actorKind: AuditActorKind;

  @Column('uuid', { name: 'actor_user_id', nullable: true })
  actorUserId: string | null;

  @Column('uuid', { name: 'actor_api_key_id', nullable: true })
  actorApiKeyId: string | null;

  @Column('text', { name: 'actor_role', nullable: true })
  actorRole: string | null;

  /** The GraphQL field (`approveVariant`) or a system event's name (`billing.planChanged`). */
  @Column('text')
  operation: string;

  @Column('text', { name: 'entity_type', nullable: true })
  entityType: string | null;

  @Column('text', { name: 'entity_id', nullable: true })
  entityId: string | null;

  @Column('text', { name: 'before_hash', nullable: true })
  beforeHash: string | null;

  @Column('text', { name: 'after_hash', nullable: true })
  afterHash: string | null;

  @Column('text')
  outcome: AuditOutcome;

  @Column('text', { name: 'error_code', nullable: true })
  errorCode: string | null;

  @Column('text', { name: 'request_id', nullable: true })
  requestId: string | null;
}
