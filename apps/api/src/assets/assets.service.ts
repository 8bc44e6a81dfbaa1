import { Inject, Injectable } from '@nestjs/common';
import { TenantDb } from '../database/tenant-db';
import { ASSET_STORAGE, type AssetStorage } from './asset-storage';
import { AssetEntity } from './asset.entity';
import type { AssetModel } from './asset.model';
import { AssetUrls } from './asset-urls';

/** Asset rows as clients see them (with signed URLs), and the download behind a signed URL. */
@Injectable()
export class AssetsService {
  constructor(
    private readonly db: TenantDb,
    private readonly urls: AssetUrls,
    @Inject(ASSET_STORAGE) private readonly storage: AssetStorage,
  ) {}

  toModel(asset: AssetEntity): AssetModel {
    const { url, expiresAt } = this.urls.url(asset.workspaceId, asset.id);
    const check = asset.brandCheck as { passed?: boolean; minTextContrast?: number | null } | null;
    return {
      ...asset,
      url,
      urlExpiresAt: expiresAt,
      brandCheckPassed: check?.passed ?? null,
      minTextContrast: check?.minTextContrast ?? null,
    };
  }

  /** Assets of a job or a campaign (row-level security keeps a brand-limited key to its brands). */
  list(where: { jobId?: string; campaignId?: string }): Promise<AssetModel[]> {
    return this.db.tx(async (db) => {
      const query = db.createQueryBuilder(AssetEntity, 'a').where('true');
      if (where.jobId) query.andWhere('a.job_id = :jobId', { jobId: where.jobId });
      if (where.campaignId) query.andWhere('a.campaign_id = :campaignId', { campaignId: where.campaignId });
      const rows = await query
        .orderBy('a.created_at', 'DESC')
        .addOrderBy('a.variant')
        .addOrderBy('a.format')
        .addOrderBy('a.file_kind')
        .take(1000)
        .getMany();
      return rows.map((r) => this.toModel(r));
    });
  }

  verify(workspaceId: string, assetId: string, exp: number, sig: string) {
    return this.urls.verify(workspaceId, assetId, exp, sig);
  }

  /** The file behind a verified link: read in the link's workspace, so RLS scopes the lookup. */
  async download(workspaceId: string, assetId: string): Promise<{ bytes: Buffer; mimeType: string } | null> {
    const asset = await this.db.with({ workspaceId }, (db) => db.findOne(AssetEntity, { where: { id: assetId } }));
    if (!asset) return null;
    const bytes = await this.storage.get(asset.storageKey);
    return bytes ? { bytes, mimeType: asset.mimeType } : null;
  }
}
