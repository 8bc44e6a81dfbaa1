import sharp from 'sharp';
import { BadUserInputError } from '../common/errors/app-error';

const MAX_LOGO_BYTES = 1024 * 1024;

/** Decodes and checks an uploaded logo: a readable image of the declared type, at most 1 MB. */
export async function decodeLogo(base64: string, mimeType: string): Promise<Buffer> {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length === 0) throw new BadUserInputError('input.logo.base64', 'is not base64');
  if (bytes.length > MAX_LOGO_BYTES) throw new BadUserInputError('input.logo.base64', 'the logo must be at most 1 MB');
  const expected = mimeType.split('/')[1].replace('+xml', '');
  try {
    const meta = await sharp(bytes).metadata();
    const format = meta.format === 'jpeg' ? 'jpeg' : meta.format;
    if (format !== expected) throw new Error(`is a ${meta.format} image, not ${mimeType}`);
    if (!meta.width || !meta.height) throw new Error('has no size');
  } catch (err) {
    const reason = (err as Error).message.startsWith('is a') ? (err as Error).message : 'is not a readable image (corrupt or truncated)';
    throw new BadUserInputError('input.logo', reason);
  }
  return bytes;
}
