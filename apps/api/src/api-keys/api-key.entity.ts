import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { ApiKeyScope } from '../common/auth/actor';

/** An agency's key: `bw_<prefix>_<secret>`; only the prefix and the secret's SHA-256 are kept. */
@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'workspace_id' })
  workspaceId: string;

  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy: string | null;

  @Column('text')
  name: string;

  @Column('text')
  prefix: string;

  @Column('text', { name: 'secret_hash', select: false })
  secretHash: string;

  @Column('text', { array: true })
  scopes: ApiKeyScope[];

  @Column('uuid', { name: 'brand_ids', array: true, nullable: true })
  brandIds: string[] | null;

  @Column('timestamptz', { name: 'expires_at', nullable: true })
  expiresAt: Date | null;

  @Column('timestamptz', { name: 'last_used_at', nullable: true })
  lastUsedAt: Date | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
