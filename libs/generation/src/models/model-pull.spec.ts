import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { pullModel } from './model-pull';
import { GenerationError, GenerationErrorCode } from '../text/generation-error';

const weights = randomBytes(300_000);
const config = Buffer.from(JSON.stringify({ model_type: 'gpt2' }));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const files: Record<string, Buffer> = { 'config.json': config, 'onnx/model.onnx': weights, 'onnx/model_fp16.onnx': Buffer.from('skip me') };
let lieAboutHash = false;
let breakNextWeights = false;
const ranges: string[] = [];
let server: Server;
let endpoint: string;
const root = mkdtempSync(join(tmpdir(), 'pull-'));

before(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    const tree = url.pathname.match(/^\/api\/models\/([^/]+\/[^/]+)\/tree\/main$/);
    if (tree) {
      if (tree[1] !== 'acme/tiny') return res.writeHead(404).end();
      const entries = Object.entries(files).map(([path, body]) => ({
        type: 'file',
        path,
        size: body.length,
        ...(path.endsWith('.onnx') ? { lfs: { oid: lieAboutHash ? sha(Buffer.from('other')) : sha(body), size: body.length } } : {}),
      }));
      return res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify([{ type: 'directory', path: 'onnx' }, ...entries]));
    }
    const file = url.pathname.match(/^\/acme\/tiny\/resolve\/main\/(.+)$/)?.[1];
    const body = file ? files[file] : undefined;
    if (!body) return res.writeHead(404).end();
    const range = req.headers.range?.match(/^bytes=(\d+)-$/);
    if (range) ranges.push(`${file}:${range[1]}`);
    const start = range ? Number(range[1]) : 0;
    res.writeHead(range ? 206 : 200, { 'content-length': body.length - start });
    if (file === 'onnx/model.onnx' && breakNextWeights) {
      breakNextWeights = false;
      // Send a third of the file, then drop the connection.
      res.write(body.subarray(start, start + 100_000), () => res.destroy());
      return;
    }
    res.end(body.subarray(start));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.close();
  rmSync(root, { recursive: true, force: true });
});

test('pull resumes a broken download with a Range request and verifies it', async () => {
  breakNextWeights = true;
  const progress: number[] = [];
  const modelDir = join(root, 'a');
  const { dir } = await pullModel({ repo: 'acme/tiny', modelDir, endpoint, onProgress: (p) => progress.push(p.overallReceived) });
  assert.deepEqual(readFileSync(join(dir, 'onnx', 'model.onnx')), weights);
  assert.deepEqual(readFileSync(join(dir, 'config.json')), config);
  assert.ok(
    ranges.some((r) => /^onnx\/model\.onnx:\d+$/.test(r) && Number(r.split(':')[1]) > 0),
    `ranges: ${ranges}`,
  );
  assert.equal(existsSync(join(dir, 'onnx', 'model_fp16.onnx')), false, 'only the files the engine uses');
  assert.equal(progress.at(-1), weights.length + config.length);
});

test('pull rejects a file whose sha256 does not match and leaves no model file', async () => {
  lieAboutHash = true;
  const modelDir = join(root, 'b');
  await assert.rejects(
    pullModel({ repo: 'acme/tiny', modelDir, endpoint }),
    (e: GenerationError) => e.code === GenerationErrorCode.INTEGRITY_MISMATCH && e.message.includes('onnx/model.onnx'),
  );
  assert.equal(existsSync(join(modelDir, 'acme/tiny/onnx/model.onnx')), false);
  lieAboutHash = false;
});

test('an unknown repo is MODEL_NOT_FOUND', async () => {
  await assert.rejects(
    pullModel({ repo: 'acme/none', modelDir: join(root, 'c'), endpoint }),
    (e: GenerationError) => e.code === GenerationErrorCode.MODEL_NOT_FOUND,
  );
});
