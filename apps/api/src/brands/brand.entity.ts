import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { StyleRules, ToneTrait } from '@brandwright/generation';

@Entity('brands')
export class BrandEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'workspace_id' })
  workspaceId: string;

  @Column('text')
  name: string;

  @Column('text')
  description: string;

  @Column('text')
  audience: string;

  @Column('jsonb', { name: 'tone_traits' })
  toneTraits: ToneTrait[];

  @Column('text', { name: 'preferred_terms', array: true })
  preferredTerms: string[];

  @Column('text', { name: 'required_terms', array: true })
  requiredTerms: string[];

  @Column('text', { name: 'banned_terms', array: true })
  bannedTerms: string[];

  @Column('jsonb', { name: 'style_rules' })
  styleRules: StyleRules;

  @Column('text', { name: 'example_copy', array: true })
  exampleCopy: string[];

  @Column('text', { array: true })
  palette: string[];

  @Column('text', { name: 'heading_font', nullable: true })
  headingFont: string | null;

  @Column('text', { name: 'body_font', nullable: true })
  bodyFont: string | null;

  @Column('bytea', { nullable: true, select: false })
  logo: Buffer | null;

  @Column('text', { name: 'logo_mime_type', nullable: true })
  logoMimeType: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
