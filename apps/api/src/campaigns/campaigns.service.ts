import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TenantDb } from '../database/tenant-db';
import type { Actor } from '../common/auth/actor';
import { NotFoundError } from '../common/errors/app-error';
import { type Connection, paginate } from '../common/pagination/pagination';
import { BrandsService } from '../brands/brands.service';
import { CampaignEntity, CampaignObjective, CampaignStatus } from './campaign.entity';
import type { Channel } from './channel';

export interface CampaignChanges {
  name?: string;
  objective?: CampaignObjective;
  channels?: Channel[];
  brief?: string;
  status?: CampaignStatus;
}

@Injectable()
export class CampaignsService {
  constructor(
    private readonly db: TenantDb,
    private readonly brands: BrandsService,
  ) {}

  /** Campaigns of the workspace; for a brand-limited API key, row-level security keeps its brands'. */
  list(filter: { brandId?: string; status?: CampaignStatus }, first?: number, after?: string): Promise<Connection<CampaignEntity>> {
    return this.db.tx((db) => {
      const query = db.createQueryBuilder(CampaignEntity, 'campaign').where('true');
      if (filter.brandId) query.andWhere('campaign.brand_id = :brandId', { brandId: filter.brandId });
      if (filter.status) query.andWhere('campaign.status = :status', { status: filter.status });
      return paginate(query, first, after);
    });
  }

  get(id: string): Promise<CampaignEntity> {
    return this.db.tx((db) => this.getIn(db, id));
  }

  async getIn(db: EntityManager, id: string): Promise<CampaignEntity> {
    const campaign = await db.findOne(CampaignEntity, { where: { id } });
    if (!campaign) throw new NotFoundError('Campaign', id);
    return campaign;
  }

  create(
    actor: Actor,
    input: { brandId: string; name: string; objective: CampaignObjective; channels?: Channel[]; brief?: string },
  ): Promise<CampaignEntity> {
    return this.db.tx(async (db) => {
      await this.brands.getIn(db, input.brandId);
      return db.save(
        db.create(CampaignEntity, {
          workspaceId: actor.workspaceId!,
          brandId: input.brandId,
          name: input.name,
          objective: input.objective,
          channels: input.channels ?? [],
          brief: input.brief ?? '',
          status: CampaignStatus.DRAFT,
        }),
      );
    });
  }

  update(id: string, changes: CampaignChanges): Promise<CampaignEntity> {
    return this.db.tx(async (db) => {
      const campaign = await this.getIn(db, id);
      for (const [key, value] of Object.entries(changes)) {
        if (value !== undefined) (campaign as unknown as Record<string, unknown>)[key] = value;
      }
      return db.save(campaign);
    });
  }

  remove(id: string): Promise<CampaignEntity> {
    return this.db.tx(async (db) => {
      const campaign = await this.getIn(db, id);
      await db.delete(CampaignEntity, { id });
      return campaign;
    });
  }
}
