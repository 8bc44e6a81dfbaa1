import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import S3rver from 's3rver';
import { S3AssetStorage, type S3Options } from './s3-asset-storage';

// s3rver: an S3-compatible server in this process, on a free port, with its fixed credentials.
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const bucket = 'assets';
let server: S3rver;
let directory: string;
let options: S3Options;
const stores: S3AssetStorage[] = [];

function store(overrides: Partial<S3Options> = {}): S3AssetStorage {
  const s = new S3AssetStorage({ ...options, ...overrides });
  stores.push(s);
  return s;
}

before(async () => {
  directory = mkdtempSync(join(tmpdir(), 'bw-s3-'));
  server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  options = { endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', bucket, ...credentials, timeoutMs: 5_000 };
});

after(async () => {
  for (const s of stores) s.close();
  await server.close();
  rmSync(directory, { recursive: true, force: true });
});

// Spaces, '+', '*', '(', non-ASCII: characters encodeURIComponent and RFC 3986 disagree on or that
// a hand-written canonical request gets wrong.
const key = "ws-1/brand a/logo (1)+ü*'!.png";
const bytes = Buffer.from('\x89PNG\r\n\x1a\n not really a png, but bytes');

test('put then get returns the same bytes, also for a key with reserved characters', async () => {
  const s3 = store();
  await s3.put(key, bytes, 'image/png');
  assert.deepEqual(await s3.get(key), bytes);
  assert.equal(await s3.get('ws-1/no such file.png'), null);
});

// s3rver checks the access key and a presigned URL's expiry, not the SigV4 signature itself
// (AWS's own client computes that); so these are the refusals it can show.
test('an unknown access key is refused, by header and in a signed URL', async () => {
  await store().put('ws-1/checked.png', bytes, 'image/png');
  const stranger = store({ accessKeyId: 'NOT-A-KEY' });
  await assert.rejects(stranger.get('ws-1/checked.png'), (err: Error) => err.name === 'InvalidAccessKeyId');
  assert.equal((await fetch(await stranger.signedUrl('ws-1/checked.png', 60))).status, 403);
});

test('a signed GET serves the object without credentials', async () => {
  const s3 = store();
  await s3.put(key, bytes, 'image/png');
  const response = await fetch(await s3.signedUrl(key, 60));
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'image/png');
  assert.deepEqual(Buffer.from(await response.arrayBuffer()), bytes);
});

test('a signed GET expires: signed 120 s ago for 60 s it is refused, for 600 s it still works', async () => {
  const s3 = store();
  await s3.put('ws-1/expiring.png', bytes, 'image/png');
  const twoMinutesAgo = new Date(Date.now() - 120_000);
  const expired = await fetch(await s3.signedUrl('ws-1/expiring.png', 60, twoMinutesAgo));
  assert.equal(expired.status, 403);
  assert.match(await expired.text(), /expired/i);
  const valid = await fetch(await s3.signedUrl('ws-1/expiring.png', 600, twoMinutesAgo));
  assert.equal(valid.status, 200);
});

test('list and delete: the sweep sees old objects by key and removes them', async () => {
  const s3 = store();
  await s3.put('ws-2/a b.png', bytes, 'image/png');
  await s3.put(key, bytes, 'image/png');
  const listed: string[] = [];
  for await (const k of s3.listOlderThan(new Date(Date.now() + 60_000))) listed.push(k);
  assert.ok(listed.includes('ws-2/a b.png'), listed.join());
  assert.ok(listed.includes(key), `stored under its exact name: ${listed.join()}`);
  const none: string[] = [];
  for await (const k of s3.listOlderThan(new Date(Date.now() - 3_600_000))) none.push(k);
  assert.deepEqual(none, []);
  await s3.delete('ws-2/a b.png');
  assert.equal(await s3.get('ws-2/a b.png'), null);
});

// The test's own timeout only stops a hang (a client without a time limit) from stalling the run.
test('a store that accepts the connection and never answers fails the call at the timeout', { timeout: 20_000 }, async () => {
  const silent: Server = createServer(() => {
    /* never answers */
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as AddressInfo).port;
  try {
    const s3 = store({ endpoint: `http://127.0.0.1:${port}`, timeoutMs: 300 });
    await assert.rejects(s3.get('ws-1/any.png'), (err: Error) => err.name === 'TimeoutError');
  } finally {
    silent.closeAllConnections();
    silent.close();
  }
});
