import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { BrandVoice, StyleRules } from '@brandwright/generation';
import { TenantDb } from '../database/tenant-db';
import type { Actor } from '../common/auth/actor';
import { ConflictError, NotFoundError } from '../common/errors/app-error';
import { type Connection, paginate } from '../common/pagination/pagination';
import { BrandEntity } from './brand.entity';
import type { BrandFields } from './dto/brand.inputs';
import { decodeLogo } from './logo';

export const DEFAULT_STYLE_RULES: StyleRules = {
  oxfordComma: true,
  contractions: true,
  exclamationMarks: false,
  emoji: false,
  headlineCase: 'sentence',
  targetReadingGrade: null,
};

@Injectable()
export class BrandsService {
  constructor(private readonly db: TenantDb) {}

  /** The workspace's brands; for a brand-limited API key, row-level security keeps only its own. */
  list(first?: number, after?: string): Promise<Connection<BrandEntity>> {
    return this.db.tx((db) => paginate(db.createQueryBuilder(BrandEntity, 'brand'), first, after));
  }

  get(id: string): Promise<BrandEntity> {
    return this.db.tx((db) => this.getIn(db, id));
  }

  /** Finds a brand inside an open tenant transaction (RLS hides brands outside a key's limit). */
  async getIn(db: EntityManager, id: string): Promise<BrandEntity> {
    const brand = await db.findOne(BrandEntity, { where: { id } });
    if (!brand) throw new NotFoundError('Brand', id);
    return brand;
  }

  async create(actor: Actor, input: BrandFields): Promise<BrandEntity> {
    const logo = input.logo ? await decodeLogo(input.logo.base64, input.logo.mimeType) : null;
    return this.db.tx(async (db) => {
      await this.assertNameFree(db, input.name);
      const brand = db.create(BrandEntity, {
        workspaceId: actor.workspaceId!,
        name: input.name,
        description: input.description ?? '',
        audience: input.audience ?? '',
        toneTraits: input.toneTraits ?? [],
        preferredTerms: input.preferredTerms ?? [],
        requiredTerms: input.requiredTerms ?? [],
        bannedTerms: input.bannedTerms ?? [],
        styleRules: { ...DEFAULT_STYLE_RULES, ...input.styleRules },
        exampleCopy: input.exampleCopy ?? [],
        palette: input.palette ?? [],
        headingFont: input.headingFont ?? null,
        bodyFont: input.bodyFont ?? null,
        logo: logo?.bytes ?? null,
        logoMimeType: logo?.mimeType ?? null,
      });
      return db.save(brand);
    });
  }

  async update(id: string, input: Partial<BrandFields>): Promise<BrandEntity> {
    const logo = input.logo ? await decodeLogo(input.logo.base64, input.logo.mimeType) : undefined;
    return this.db.tx(async (db) => {
      const brand = await this.getIn(db, id);
      if (input.name && input.name.toLowerCase() !== brand.name.toLowerCase()) await this.assertNameFree(db, input.name);
      const { logo: _logo, styleRules, ...fields } = input;
      for (const [key, value] of Object.entries(fields)) {
        if (value !== undefined) (brand as unknown as Record<string, unknown>)[key] = value;
      }
      if (styleRules) brand.styleRules = { ...brand.styleRules, ...styleRules };
      if (input.logo === null) Object.assign(brand, { logo: null, logoMimeType: null });
      if (logo) Object.assign(brand, { logo: logo.bytes, logoMimeType: logo.mimeType });
      return db.save(brand);
    });
  }

  async remove(id: string): Promise<BrandEntity> {
    return this.db.tx(async (db) => {
      const brand = await this.getIn(db, id);
      await db.delete(BrandEntity, { id });
      return brand;
    });
  }

  async logo(id: string): Promise<{ bytes: Buffer; mimeType: string } | null> {
    return this.db.tx(async (db) => {
      await this.getIn(db, id);
      const row = await db.findOne(BrandEntity, { where: { id }, select: { id: true, logo: true, logoMimeType: true } });
      return row?.logo && row.logoMimeType ? { bytes: row.logo, mimeType: row.logoMimeType } : null;
    });
  }

  private async assertNameFree(db: EntityManager, name: string): Promise<void> {
    const taken = await db.createQueryBuilder(BrandEntity, 'b').where('lower(b.name) = lower(:name)', { name }).getExists();
    if (taken) throw new ConflictError(`A brand named "${name}" already exists in this workspace.`, 'input.name');
  }
}

/** The brand as the generation engine reads it. */
export function toBrandVoice(brand: BrandEntity): BrandVoice {
  return {
    name: brand.name,
    description: brand.description,
    audience: brand.audience,
    toneTraits: brand.toneTraits,
    preferredTerms: brand.preferredTerms,
    requiredTerms: brand.requiredTerms,
    bannedTerms: brand.bannedTerms,
    styleRules: brand.styleRules,
    exampleCopy: brand.exampleCopy,
  };
}
