import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

/**
 * GraphiQL at /graphiql, every file from npm packages in node_modules (graphiql's UMD build and
 * the React 18 it needs), none from a CDN: it works offline and behind a locked-down egress, and
 * its CSP can name our origin alone. On where introspection is (GRAPHQL_INTROSPECTION).
 */
export function installGraphiql(fastify: FastifyInstance): void {
  const fromPackage = (pkg: string, file: string) => join(dirname(require.resolve(`${pkg}/package.json`)), file);
  const files: Record<string, { path?: string; text?: string; type: string }> = {
    'graphiql.css': { path: fromPackage('graphiql', 'graphiql.min.css'), type: 'text/css; charset=utf-8' },
    'graphiql.js': { path: fromPackage('graphiql', 'graphiql.min.js'), type: 'application/javascript; charset=utf-8' },
    'react.js': { path: fromPackage('react', 'umd/react.production.min.js'), type: 'application/javascript; charset=utf-8' },
    'react-dom.js': { path: fromPackage('react-dom', 'umd/react-dom.production.min.js'), type: 'application/javascript; charset=utf-8' },
    'start.js': { text: START, type: 'application/javascript; charset=utf-8' },
    'page.css': { text: 'body { margin: 0; overflow: hidden; } #graphiql { height: 100vh; }', type: 'text/css; charset=utf-8' },
  };
  const cache = new Map<string, Buffer>();
  const read = (name: string) => {
    const file = files[name];
    if (!cache.has(name)) cache.set(name, file.text !== undefined ? Buffer.from(file.text) : readFileSync(file.path!));
    return cache.get(name)!;
  };
  // Scripts from our origin only; GraphiQL's editor injects <style> elements, so styles may be inline.
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self' ws: wss:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  fastify.get('/graphiql', (_req, reply) => {
    void reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', csp).send(PAGE);
  });
  fastify.get<{ Params: { file: string } }>('/graphiql/:file', (req, reply) => {
    const file = files[req.params.file];
    if (!file) return reply.status(404).send({ error: { code: 'NOT_FOUND', message: `${req.url} was not found.` } });
    return reply.header('content-type', file.type).header('cache-control', 'public, max-age=3600').send(read(req.params.file));
  });
}

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="robots" content="noindex" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Brandwright GraphiQL</title>
    <link rel="stylesheet" href="/graphiql/graphiql.css" />
    <link rel="stylesheet" href="/graphiql/page.css" />
  </head>
  <body>
    <div id="graphiql"></div>
    <script src="/graphiql/react.js"></script>
    <script src="/graphiql/react-dom.js"></script>
    <script src="/graphiql/graphiql.js"></script>
    <script src="/graphiql/start.js"></script>
  </body>
</html>
`;

const START = `(function () {
  var socket = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/graphql';
  var fetcher = GraphiQL.createFetcher({ url: location.origin + '/graphql', subscriptionUrl: socket });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, { fetcher: fetcher, headerEditorEnabled: true, shouldPersistHeaders: true })
  );
})();
`;
