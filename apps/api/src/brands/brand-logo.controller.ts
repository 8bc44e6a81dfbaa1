import { Controller, Get, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Access, BrandScoped } from '../common/auth/decorators';
import { ApiKeyScope, Role } from '../common/auth/actor';
import { NotFoundError } from '../common/errors/app-error';
import { validate } from '../common/validation/validate';
import { uuid } from '../common/validation/fields';
import { BrandsService } from './brands.service';
import { rasterise } from './logo';
import { extensionOf, sendUserFile } from '../common/http/user-file';

/** GET /brands/:id/logo — the logo file, for the dashboard and the compositor preview. */
@Controller('brands')
export class BrandLogoController {
  constructor(private readonly brands: BrandsService) {}

  @BrandScoped()
  @Access(Role.VIEWER, ApiKeyScope.READ)
  @Get(':id/logo')
  async logo(@Param('id') id: string, @Res() reply: FastifyReply): Promise<void> {
    const logo = await this.brands.logo(validate(uuid, id, 'id'));
    if (!logo) throw new NotFoundError('Logo');
    // A row stored before SVGs were rasterised on upload is rasterised here: no SVG goes out.
    const file = logo.mimeType === 'image/svg+xml' ? { bytes: await rasterise(logo.bytes), mimeType: 'image/png' } : logo;
    await sendUserFile(reply, file, { filename: `logo.${extensionOf(file.mimeType)}`, cacheControl: 'private, max-age=60' });
  }
}
