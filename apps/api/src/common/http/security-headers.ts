import helmet from '@fastify/helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '../../config/config';

/**
 * Security headers on every answer (dashboard pages, GraphQL, files) via @fastify/helmet. The
 * dashboard is a Vite build with no inline script, so its CSP allows scripts from our own origin
 * only; styles likewise (React sets style properties through the CSSOM, which CSP does not
 * govern). Images and fetches may also go to the S3 endpoint, where signed asset links point.
 * No one may frame us (clickjacking), and no Referer leaves: invitation links carry a token.
 * Routes that serve something else set their own CSP: user files (user-file.ts), /graphiql.
 */
export async function installSecurityHeaders(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const assetOrigins =
    config.values.STORAGE_DRIVER === 's3' && config.values.S3_ENDPOINT ? [new URL(config.values.S3_ENDPOINT).origin] : [];
  const publicUrl = new URL(config.values.PUBLIC_URL);
  const socketOrigin = `${publicUrl.protocol === 'https:' ? 'wss:' : 'ws:'}//${publicUrl.host}`;
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: dashboardCsp(assetOrigins, socketOrigin) },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // Signed asset links may be opened from elsewhere (an email, another tool): not same-origin only.
    crossOriginResourcePolicy: { policy: 'same-site' },
    crossOriginEmbedderPolicy: false,
    strictTransportSecurity: config.isProduction ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
}

export function dashboardCsp(assetOrigins: string[], socketOrigin: string): Record<string, string[]> {
  return {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:', 'blob:', ...assetOrigins],
    'font-src': ["'self'", 'data:'],
    'connect-src': ["'self'", socketOrigin, ...assetOrigins],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  };
}
