import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { VoiceReport } from '@brandwright/generation';

export enum VariantStatus {
  DRAFT = 'DRAFT',
  IN_REVIEW = 'IN_REVIEW',
  APPROVED = 'APPROVED',
  CHANGES_REQUESTED = 'CHANGES_REQUESTED',
  REJECTED = 'REJECTED',
}

/** One variant of copy a job wrote, with its voice report; a marketer approves or rejects it. */
@Entity('copy_variants')
export class CopyVariantEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'workspace_id' })
  workspaceId: string;

  @Column('uuid', { name: 'job_id' })
  jobId: string;

  @Column('uuid', { name: 'brand_id' })
  brandId: string;

  @Column('uuid', { name: 'campaign_id', nullable: true })
  campaignId: string | null;

  @Column('text')
  channel: string;

  /** 0 = best voice score. Unique per job, so a job that runs twice stores one set. */
  @Column('integer')
  rank: number;

  @Column('text')
  text: string;

  @Column('bigint', { transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  seed: number;

  @Column('jsonb', { name: 'voice_report' })
  voiceReport: VoiceReport;

  @Column('integer', { name: 'voice_score' })
  voiceScore: number;

  @Column('text')
  status: VariantStatus;

  /** Every hard rule of the voice holds; false when the engine's tries could not hold one. */
  @Column('boolean', { name: 'passes_hard_rules', default: true })
  passesHardRules: boolean;

  /** Why a variant that breaks a hard rule was approved anyway (required for those). */
  @Column('text', { name: 'approval_reason', nullable: true })
  approvalReason: string | null;

  /** SHA-256 of the current text, computed by PostgreSQL (a generated column). */
  @Column({ type: 'text', name: 'content_hash', insert: false, update: false })
  contentHash: string;

  /** 1, plus one for every edit of the text (counted by a trigger, which also resets status to DRAFT). */
  @Column({ type: 'integer', insert: false, update: false })
  version: number;

  /** The content hash the latest approval approved; it stays when the text changes, superseded. */
  @Column('text', { name: 'approved_hash', nullable: true })
  approvedHash: string | null;

  @Column('timestamptz', { name: 'approved_at', nullable: true })
  approvedAt: Date | null;

  @Column('uuid', { name: 'approved_by', nullable: true })
  approvedBy: string | null;

  /** An approval was given, but to a version of the text that is no longer the current one. */
  get approvalSuperseded(): boolean {
    return this.approvedHash !== null && this.approvedHash !== this.contentHash;
  }

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
