import { existsSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '../../config/config';

/** The api's own paths: an unknown one is a JSON 404, never the dashboard. */
const API_PATHS = /^\/(graphql|graphiql|webhooks|assets\/|brands\/[^/]+\/logo|healthz|readyz|metrics)/;
/** Vite's output folder for files whose names carry a content hash (vite.config.mts assetsDir). */
const HASHED_DIR = `${sep}static${sep}`;
const ONE_YEAR = 'public, max-age=31536000, immutable';

/**
 * The built dashboard (apps/dashboard/dist). Text files were brotli- and gzip-compressed at build
 * time (apps/dashboard/precompress.ts) and go out by Accept-Encoding. Hashed files are cached for
 * a year; everything else (index.html, the favicon) is revalidated on each use, so a deploy shows
 * at once. A client-side route (/brands/…, no file extension) gets index.html; a missing file
 * (/favicon.ico, /static/gone.js) is a 404, not a page of HTML the browser would try to run.
 */
export async function serveDashboard(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const root = resolve(config.values.DASHBOARD_DIR);
  if (!existsSync(resolve(root, 'index.html'))) return;
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    preCompressed: true,
    cacheControl: false,
    setHeaders: (reply, path) => void reply.header('cache-control', path.includes(HASHED_DIR) ? ONE_YEAR : 'no-cache'),
  });
  fastify.get('/*', (req, reply) => {
    const path = req.url.split('?')[0];
    if (API_PATHS.test(path) || isFilePath(path)) {
      return reply.status(404).send({ error: { code: 'NOT_FOUND', message: `${path} was not found.` } });
    }
    return reply.sendFile('index.html');
  });
}

/** `/static/app.js`, `/favicon.ico`: a file, not a route (the dashboard's routes have no dot). */
function isFilePath(path: string): boolean {
  return path.startsWith('/static/') || /\.[a-z0-9]+$/i.test(path.slice(path.lastIndexOf('/') + 1));
}
