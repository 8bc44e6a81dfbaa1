import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Public } from '../common/auth/decorators';
import { ForbiddenError, NotFoundError } from '../common/errors/app-error';
import { validate } from '../common/validation/validate';
import { uuid } from '../common/validation/fields';
import { AssetsService } from './assets.service';
import { extensionOf, sendUserFile } from '../common/http/user-file';

/**
 * GET /assets/:id?ws=…&exp=…&sig=… — an asset file behind a signed, expiring link (see
 * asset-urls.ts). Public as a route: the signature is the credential. `&download=1` answers
 * with `Content-Disposition: attachment`; every answer carries the user-file headers.
 */
@Controller('assets')
export class AssetsController {
  constructor(private readonly assets: AssetsService) {}

  @Public()
  @Get(':id')
  async download(
    @Param('id') id: string,
    @Query('ws') ws: string,
    @Query('exp') exp: string,
    @Query('sig') sig: string,
    @Query('download') download: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const assetId = validate(uuid, id, 'id');
    const workspaceId = validate(uuid, ws, 'ws');
    const expiry = Number(exp);
    const verdict = Number.isInteger(expiry) && typeof sig === 'string' ? this.assets.verify(workspaceId, assetId, expiry, sig) : 'invalid';
    if (verdict === 'invalid') throw new ForbiddenError('This asset link is not valid.');
    if (verdict === 'expired') throw new ForbiddenError('This asset link has expired; fetch the asset again for a fresh one.');
    const file = await this.assets.download(workspaceId, assetId);
    if (!file) throw new NotFoundError('Asset', assetId);
    const maxAge = Math.max(0, expiry - Math.floor(Date.now() / 1000));
    await sendUserFile(reply, file, {
      filename: `asset-${assetId}.${extensionOf(file.mimeType)}`,
      download: download === '1',
      cacheControl: `private, max-age=${maxAge}`,
    });
  }
}
