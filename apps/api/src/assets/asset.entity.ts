import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export enum AssetFileKind {
  PNG = 'PNG',
  WEBP = 'WEBP',
  THUMBNAIL = 'THUMBNAIL',
}

/** One stored file of an ad creative (a format of a variant, as PNG, WebP or thumbnail). */
@Entity('assets')
export class AssetEntity {
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

  @Column('integer')
  variant: number;

  @Column('text')
  format: string;

  @Column('text', { name: 'file_kind' })
  fileKind: AssetFileKind;

  @Column('text', { name: 'storage_key' })
  storageKey: string;

  @Column('text', { name: 'mime_type' })
  mimeType: string;

  @Column('integer')
  width: number;

  @Column('integer')
  height: number;

  @Column('integer', { name: 'size_bytes' })
  sizeBytes: number;

  @Column('jsonb', { name: 'brand_check', nullable: true })
  brandCheck: Record<string, unknown> | null;

  @Column('jsonb', { nullable: true })
  provenance: Record<string, unknown> | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
