import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Metrics } from './metrics.service';

/**
 * GET /metrics for Prometheus on the api port, only with `Authorization: Bearer <METRICS_TOKEN>`
 * (Prometheus' `authorization` scrape setting). Without METRICS_TOKEN the api does not serve it
 * at all (404). A plain Fastify route, outside Nest's guards: its bearer token is not an API
 * credential. The worker serves its own on METRICS_PORT.
 */
export function serveMetrics(fastify: FastifyInstance, metrics: Metrics, token: string | undefined): void {
  fastify.get('/metrics', async (request, reply) => {
    if (!token) {
      return reply.status(404).send({ error: { code: 'NOT_FOUND', message: '/metrics is off on the api port; set METRICS_TOKEN.' } });
    }
    if (!sameSecret(request.headers.authorization ?? '', `Bearer ${token}`)) {
      return reply
        .status(401)
        .header('www-authenticate', 'Bearer realm="metrics"')
        .send({ error: { code: 'UNAUTHENTICATED', message: 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>.' } });
    }
    const { contentType, body } = await metrics.render();
    return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
  });
}

/** Constant-time comparison of two strings of any length (compares their digests). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
