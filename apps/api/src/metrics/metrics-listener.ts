import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics.service';

/**
 * The worker has no HTTP server (it is a Nest application context), so it answers Prometheus on
 * its own small listener: GET /metrics, GET /healthz for a liveness probe, and GET /readyz (503
 * while a model it needs has not loaded, with the reason). Nothing else.
 */
export class MetricsListener {
  private server?: Server;

  constructor(private readonly metrics: Metrics) {}

  async listen(port: number, host = '0.0.0.0'): Promise<AddressInfo> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405).end();
      if (path === '/healthz') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      if (path === '/readyz') {
        const readiness = this.metrics.readiness();
        return void res.writeHead(readiness.ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(readiness));
      }
      if (path !== '/metrics') return void res.writeHead(404).end();
      this.metrics.render().then(
        ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body),
        (err: Error) => res.writeHead(500).end(err.message),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    return server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
