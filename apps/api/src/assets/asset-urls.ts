import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed, expiring, tenant-scoped download URLs: `/assets/<id>?ws=<workspace>&exp=<unix s>&sig=…`,
 * sig = HMAC-SHA256(key, "<workspace>.<id>.<exp>"). The download route is public (an <img> tag
 * sends no Authorization header); the signature is the credential, the workspace in it scopes
 * the row lookup (row-level security), and the expiry bounds a leaked link.
 */
export class AssetUrls {
  private readonly key: Buffer;

  constructor(
    secret: string,
    private readonly publicUrl: string,
    private readonly ttlSeconds: number,
  ) {
    // A key of its own, derived so that an asset signature is never valid as anything else.
    this.key = createHmac('sha256', secret).update('brandwright:asset-urls').digest();
  }

  private signature(workspaceId: string, assetId: string, exp: number): string {
    return createHmac('sha256', this.key).update(`${workspaceId}.${assetId}.${exp}`).digest('base64url');
  }

  url(workspaceId: string, assetId: string, now = Date.now()): { url: string; expiresAt: Date } {
    const exp = Math.floor(now / 1000) + this.ttlSeconds;
    const query = new URLSearchParams({ ws: workspaceId, exp: String(exp), sig: this.signature(workspaceId, assetId, exp) });
    return { url: `${this.publicUrl.replace(/\/$/, '')}/assets/${assetId}?${query}`, expiresAt: new Date(exp * 1000) };
  }

  /** 'ok', or why the link is refused. */
  verify(workspaceId: string, assetId: string, exp: number, sig: string, now = Date.now()): 'ok' | 'expired' | 'invalid' {
    const expected = Buffer.from(this.signature(workspaceId, assetId, exp));
    const given = Buffer.from(sig);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    return exp * 1000 < now ? 'expired' : 'ok';
  }
}
