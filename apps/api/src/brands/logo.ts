import sharp from 'sharp';
import { BadUserInputError } from '../common/errors/app-error';

const MAX_LOGO_BYTES = 1024 * 1024;
/** An SVG logo becomes a PNG at most this many pixels on its longer side. */
const RASTER_SIZE = 1024;

export interface DecodedLogo {
  bytes: Buffer;
  /** What is stored and served: never image/svg+xml. */
  mimeType: 'image/png' | 'image/jpeg' | 'image/webp';
}

/**
 * Decodes and checks an uploaded logo: a readable image of the declared type, at most 1 MB.
 * An SVG is rasterised to PNG here, on upload: an SVG is a document that can carry script, and
 * is never stored or served as one.
 */
export async function decodeLogo(base64: string, mimeType: string): Promise<DecodedLogo> {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length === 0) throw new BadUserInputError('input.logo.base64', 'is not base64');
  if (bytes.length > MAX_LOGO_BYTES) throw new BadUserInputError('input.logo.base64', 'the logo must be at most 1 MB');
  const expected = mimeType.split('/')[1].replace('+xml', '');
  let format: string | undefined;
  try {
    const meta = await sharp(bytes).metadata();
    format = meta.format;
    if (format !== expected) throw new Error(`is a ${meta.format} image, not ${mimeType}`);
    if (!meta.width || !meta.height) throw new Error('has no size');
    if (format === 'svg') return { bytes: await rasterise(bytes), mimeType: 'image/png' };
  } catch (err) {
    const reason = (err as Error).message.startsWith('is a') ? (err as Error).message : 'is not a readable image (corrupt or truncated)';
    throw new BadUserInputError('input.logo', reason);
  }
  return { bytes, mimeType: mimeType as DecodedLogo['mimeType'] };
}

/** Renders an SVG (or any image sharp reads) to a PNG that fits RASTER_SIZE. */
export function rasterise(bytes: Buffer): Promise<Buffer> {
  return sharp(bytes, { density: 144 })
    .resize({ width: RASTER_SIZE, height: RASTER_SIZE, fit: 'inside', withoutEnlargement: true })
    .png()
    .toBuffer();
}
