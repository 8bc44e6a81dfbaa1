import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { startApp, type TestApp } from '../support/app';
import { buildDashboard } from './support/dashboard-build';

/**
 * How the api serves the built dashboard: compressed by Accept-Encoding, hashed files cached for
 * a year, index.html revalidated, no source maps, a favicon, and 404s (not index.html) for files
 * that are not there. Raw HTTP, so the bytes on the wire are what is checked.
 */
let api: TestApp;
let build: { dir: string; remove(): void };

before(async () => {
  build = buildDashboard();
  api = await startApp({ DASHBOARD_DIR: build.dir });
});
after(async () => {
  await api?.close();
  build?.remove();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(path: string, acceptEncoding?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${api.url}${path}`, { headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The hashed files index.html loads (the app's script and stylesheet). */
function hashedFiles(): string[] {
  const html = readFileSync(join(build.dir, 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="(\/static\/[^"]+)"/g)].map((m) => m[1]);
  assert.ok(
    files.some((f) => f.endsWith('.js')) && files.some((f) => f.endsWith('.css')),
    `index.html loads a script and a stylesheet: ${files}`,
  );
  return files;
}

test('hashed files go out brotli- or gzip-compressed by Accept-Encoding, smaller, cached for a year', async () => {
  for (const path of hashedFiles()) {
    const raw = readFileSync(join(build.dir, path));
    const br = await get(path, 'gzip, deflate, br');
    assert.equal(br.status, 200, path);
    assert.equal(br.headers['content-encoding'], 'br', path);
    assert.deepEqual(brotliDecompressSync(br.body), raw, `${path}: brotli decodes to the file`);
    assert.ok(br.body.length < raw.length * 0.5, `${path}: ${br.body.length} of ${raw.length} bytes`);
    assert.match(String(br.headers['content-type']), path.endsWith('.js') ? /javascript/ : /text\/css/);
    assert.match(String(br.headers.vary), /accept-encoding/i);

    const gz = await get(path, 'gzip');
    assert.equal(gz.headers['content-encoding'], 'gzip', path);
    assert.deepEqual(gunzipSync(gz.body), raw, `${path}: gzip decodes to the file`);

    const plain = await get(path);
    assert.equal(plain.headers['content-encoding'], undefined, `${path}: identity when nothing is accepted`);
    assert.deepEqual(plain.body, raw);

    for (const answer of [br, gz, plain]) {
      assert.equal(answer.headers['cache-control'], 'public, max-age=31536000, immutable', path);
    }
  }
});

test('index.html and client-side routes are revalidated on each load; unhashed files too', async () => {
  for (const path of ['/', '/index.html', '/brands', '/campaigns/0b5c6f0e-1111-4222-8333-444455556666', '/login?next=%2Fteam']) {
    const answer = await get(path, 'br, gzip');
    assert.equal(answer.status, 200, path);
    assert.match(String(answer.headers['content-type']), /text\/html/, path);
    assert.equal(answer.headers['cache-control'], 'no-cache', path);
    assert.match(answer.body.toString('utf8'), /<div id="root">/, path);
  }
});

test('a real favicon; missing files are 404s, not index.html', async () => {
  const html = readFileSync(join(build.dir, 'index.html'), 'utf8');
  assert.match(html, /<link rel="icon" href="\/favicon.svg"/);
  const icon = await get('/favicon.svg');
  assert.equal(icon.status, 200);
  assert.match(String(icon.headers['content-type']), /image\/svg\+xml/);
  assert.match(icon.body.toString('utf8'), /^<svg /);

  for (const path of ['/favicon.ico', '/static/missing.js', '/static/index-00000000.css', '/robots.txt', '/brands/x/y.png']) {
    const answer = await get(path, 'br, gzip');
    assert.equal(answer.status, 404, path);
    assert.doesNotMatch(answer.body.toString('utf8'), /<div id="root">/, path);
  }
});

test('no source maps are built or served', async () => {
  const files = readdirSync(join(build.dir, 'static'));
  assert.ok(files.length > 0);
  assert.deepEqual(
    files.filter((f) => f.endsWith('.map')),
    [],
  );
  for (const path of hashedFiles()) {
    const body = (await get(path)).body.toString('utf8');
    assert.doesNotMatch(body, /sourceMappingURL/, path);
    assert.equal((await get(`${path}.map`)).status, 404, `${path}.map`);
  }
});
