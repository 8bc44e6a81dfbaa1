import type { FastifyReply } from 'fastify';

/** The only types a user file is served as: raster images a browser cannot run. */
const SERVABLE = new Set(['image/png', 'image/jpeg', 'image/webp']);

/**
 * Headers for every file a user uploaded or generated (logos, assets). A file is never a page of
 * ours: the CSP gives it no scripts, no requests and an opaque origin (`sandbox`), and `nosniff`
 * stops a browser from guessing HTML or script out of its bytes. Anything but a raster image type
 * goes out as application/octet-stream, as an attachment.
 */
export function userFileHeaders(
  mimeType: string,
  options: { filename: string; download?: boolean; cacheControl: string },
): Record<string, string> {
  const servable = SERVABLE.has(mimeType);
  const disposition = options.download || !servable ? 'attachment' : 'inline';
  return {
    'content-type': servable ? mimeType : 'application/octet-stream',
    'content-disposition': `${disposition}; filename="${options.filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    'cache-control': options.cacheControl,
  };
}

/** Sends a user file with `userFileHeaders`. */
export async function sendUserFile(
  reply: FastifyReply,
  file: { bytes: Buffer; mimeType: string },
  options: { filename: string; download?: boolean; cacheControl: string },
): Promise<void> {
  await reply.headers(userFileHeaders(file.mimeType, options)).send(file.bytes);
}

/** The file extension for a servable type. */
export function extensionOf(mimeType: string): string {
  return mimeType === 'image/jpeg' ? 'jpg' : (mimeType.split('/')[1] ?? 'bin');
}
