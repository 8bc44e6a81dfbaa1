import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { backoff, pullModel, type PullOptions, type PullRetry } from './model-pull';
import { listModels, PULL_MARKER, resolveTextModel } from './model-store';
import { buildTinyTextModel } from './tiny-text-model';
import { GenerationError, GenerationErrorCode } from '../text/generation-error';

/**
 * `models pull` against a local hub that speaks the Hugging Face API: the tree listing (LFS sha256
 * and git blob ids), HEAD with ETag / X-Linked-Etag, Range downloads. The hub can answer 401,
 * 403, 5xx, drop connections and lie about hashes; the test counts every request it gets.
 */
const weights = randomBytes(300_000);
const q4 = randomBytes(120_000);
const q4Data = randomBytes(50_000);
const config = Buffer.from(JSON.stringify({ model_type: 'gpt2' }));
const tokenizer = Buffer.from(JSON.stringify({ model: { type: 'BPE' } }));
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const gitOid = (b: Buffer) => createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');
const files: Record<string, Buffer> = {
  'config.json': config,
  'onnx/model.onnx': weights,
  'onnx/model_fp16.onnx': Buffer.from('skip me'),
  'onnx/model_q4.onnx': q4,
  'onnx/model_q4.onnx_data': q4Data,
  // Listed after the weights: a pull that fails here has onnx/model.onnx in place already.
  'tokenizer.json': tokenizer,
};
const isLfs = (path: string) => path.includes('.onnx');

/** How the hub misbehaves; reset before each test. */
let hub: {
  /** Status for every request about a repo (401 private, 403 gated). */
  repoStatus: Record<string, number>;
  /** Failures to serve per GET path before answering properly: a status, or 'drop' (a third, then the connection closes). */
  failures: Record<string, (number | 'drop')[]>;
  /** The tree's sha256 for model.onnx is wrong. */
  lieInTree: boolean;
  /** The HEAD's X-Linked-Etag for model.onnx is wrong (the tree is right). */
  lieInEtag: boolean;
  /** config.json is served with different bytes than listed. */
  corruptConfig: boolean;
};
const requests: string[] = [];
let server: Server;
let endpoint: string;
const root = mkdtempSync(join(tmpdir(), 'pull-'));

beforeEach(() => {
  hub = { repoStatus: {}, failures: {}, lieInTree: false, lieInEtag: false, corruptConfig: false };
  requests.length = 0;
});

before(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    requests.push(`${req.method} ${url.pathname}${req.headers.range ? ` ${req.headers.range}` : ''}`);
    const repo = url.pathname.match(/^\/(?:api\/models\/)?([^/]+\/[^/]+)\//)?.[1] ?? '';
    if (hub.repoStatus[repo]) return res.writeHead(hub.repoStatus[repo]).end();
    const tree = url.pathname.match(/^\/api\/models\/([^/]+\/[^/]+)\/tree\/main$/);
    if (tree) {
      if (tree[1] !== 'acme/tiny') return res.writeHead(404).end();
      const entries = Object.entries(files).map(([path, body]) => ({
        type: 'file',
        path,
        size: body.length,
        oid: isLfs(path) ? sha256(Buffer.from(path)).slice(0, 40) : gitOid(body),
        ...(isLfs(path)
          ? { lfs: { oid: hub.lieInTree && path === 'onnx/model.onnx' ? sha256(Buffer.from('other')) : sha256(body), size: body.length } }
          : {}),
      }));
      return res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify([{ type: 'directory', path: 'onnx' }, ...entries]));
    }
    const file = url.pathname.match(/^\/acme\/tiny\/resolve\/main\/(.+)$/)?.[1];
    const body = file ? files[file] : undefined;
    if (!file || !body) return res.writeHead(404).end();
    if (req.method === 'HEAD') {
      // As the hub does: LFS files redirect to storage with their sha256 in X-Linked-Etag.
      if (isLfs(file)) {
        const etag = hub.lieInEtag && file === 'onnx/model.onnx' ? sha256(Buffer.from('tampered')) : sha256(body);
        return res.writeHead(302, { location: `/storage/${file}`, 'x-linked-etag': `"${etag}"`, 'x-linked-size': body.length }).end();
      }
      return res.writeHead(200, { etag: `"${gitOid(body)}"`, 'content-length': body.length }).end();
    }
    const failure = hub.failures[file]?.shift();
    if (typeof failure === 'number') return res.writeHead(failure).end();
    const served = file === 'config.json' && hub.corruptConfig ? Buffer.from(JSON.stringify({ model_type: 'evil' })) : body;
    const range = req.headers.range?.match(/^bytes=(\d+)-$/);
    const start = range ? Number(range[1]) : 0;
    res.writeHead(range ? 206 : 200, { 'content-length': served.length - start });
    if (failure === 'drop') {
      res.write(served.subarray(start, start + Math.floor((served.length - start) / 3)), () => res.destroy());
      return;
    }
    res.end(served.subarray(start));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.close();
  rmSync(root, { recursive: true, force: true });
});

const pull = (modelDir: string, extra: Partial<PullOptions> = {}) =>
  pullModel({ repo: 'acme/tiny', modelDir, endpoint, retryDelayMs: 5, ...extra });
const gets = (path: string) => requests.filter((r) => r.startsWith(`GET /acme/tiny/resolve/main/${path}`));

describe('models pull', () => {
  test('a dropped connection resumes with a Range request; the file is verified; only the engine files come', async () => {
    hub.failures['onnx/model.onnx'] = ['drop'];
    const progress: number[] = [];
    const retries: PullRetry[] = [];
    const { dir } = await pull(join(root, 'a'), { onProgress: (p) => progress.push(p.overallReceived), onRetry: (r) => retries.push(r) });
    assert.deepEqual(readFileSync(join(dir, 'onnx', 'model.onnx')), weights);
    assert.deepEqual(readFileSync(join(dir, 'config.json')), config);
    assert.ok(
      gets('onnx/model.onnx').some((r) => / bytes=[1-9]\d*-$/.test(r)),
      requests.join('\n'),
    );
    assert.equal(retries.length, 1);
    assert.match(retries[0].reason, /connection dropped/);
    assert.equal(existsSync(join(dir, 'onnx', 'model_fp16.onnx')), false, 'only the files the engine uses');
    assert.equal(progress.at(-1), weights.length + config.length + tokenizer.length);
    assert.equal(existsSync(join(dir, PULL_MARKER)), false);
  });

  test('5xx answers are retried with backoff until the hub recovers', async () => {
    hub.failures['onnx/model.onnx'] = [503, 502];
    const retries: PullRetry[] = [];
    const { dir } = await pull(join(root, 'b'), { onRetry: (r) => retries.push(r) });
    assert.deepEqual(readFileSync(join(dir, 'onnx', 'model.onnx')), weights);
    assert.deepEqual(
      retries.map((r) => [r.what, r.attempt, r.reason]),
      [
        ['onnx/model.onnx', 1, 'HTTP 503'],
        ['onnx/model.onnx', 2, 'HTTP 502'],
      ],
    );
    assert.equal(gets('onnx/model.onnx').length, 3);
  });

  test('backoff grows exponentially with full jitter, is capped, and honours Retry-After', () => {
    const samples = (attempt: number) => Array.from({ length: 400 }, () => backoff(1000, attempt));
    for (const [attempt, cap] of [
      [1, 1000],
      [3, 4000],
      [10, 30_000],
    ]) {
      const s = samples(attempt);
      assert.ok(
        s.every((d) => d >= 0 && d <= cap),
        `attempt ${attempt} within 0..${cap}`,
      );
      assert.ok(new Set(s).size > 50, 'jittered, not a fixed delay');
      assert.ok(Math.max(...s) > cap * 0.8, `attempt ${attempt} uses its whole range`);
    }
    assert.ok(backoff(1000, 1, 5000) >= 5000);
  });

  test('401 and 403 say the token is missing or wrong and name HF_TOKEN; no 4xx is retried', async () => {
    for (const [status, token] of [
      [401, undefined],
      [403, 'hf_wrong'],
    ] as const) {
      hub.repoStatus['acme/tiny'] = status;
      requests.length = 0;
      await assert.rejects(pull(join(root, `c${status}`), { token }), (e: GenerationError) => {
        assert.equal(e.code, GenerationErrorCode.DOWNLOAD_FAILED);
        assert.equal(e.field, 'HF_TOKEN');
        assert.match(e.message, new RegExp(`HTTP ${status}.*token is missing or wrong.*HF_TOKEN`));
        assert.match(e.message, token ? /HF_TOKEN is set but cannot read acme\/tiny/ : /Set HF_TOKEN/);
        return true;
      });
      assert.equal(requests.length, 1, `HTTP ${status} is not retried: ${requests.join(', ')}`);
    }
    hub.repoStatus = {};
    hub.failures['onnx/model.onnx'] = [400];
    requests.length = 0;
    await assert.rejects(pull(join(root, 'c400')), (e: GenerationError) => /HTTP 400/.test(e.message));
    assert.equal(gets('onnx/model.onnx').length, 1, 'a 400 is not retried');
  });

  test('a sha256 that does not match the hub, or an ETag that contradicts its file list, leaves no model file', async () => {
    hub.lieInTree = true;
    await assert.rejects(
      pull(join(root, 'd')),
      (e: GenerationError) => e.code === GenerationErrorCode.INTEGRITY_MISMATCH && e.message.includes('onnx/model.onnx'),
    );
    assert.equal(existsSync(join(root, 'd/acme/tiny/onnx/model.onnx')), false);

    hub.lieInTree = false;
    hub.lieInEtag = true;
    requests.length = 0;
    await assert.rejects(pull(join(root, 'e')), (e: GenerationError) => {
      assert.equal(e.code, GenerationErrorCode.INTEGRITY_MISMATCH);
      assert.match(e.message, /onnx\/model\.onnx: the hub's file list says sha256 [0-9a-f]{64}, its ETag says [0-9a-f]{64}/);
      return true;
    });
    assert.equal(gets('onnx/model.onnx').length, 0, 'nothing is downloaded against contradicting metadata');
  });

  test('a small (non-LFS) file is checked against its git blob id', async () => {
    hub.corruptConfig = true;
    await assert.rejects(
      pull(join(root, 'f')),
      (e: GenerationError) => e.code === GenerationErrorCode.INTEGRITY_MISMATCH && /config\.json.*git blob id/.test(e.message),
    );
    assert.equal(existsSync(join(root, 'f/acme/tiny/config.json')), false);
  });

  test('a half-pulled model is listed as incomplete, never picked by default nor loaded by id; a second pull finishes it', async () => {
    const modelDir = join(root, 'g');
    buildTinyTextModel({ dir: join(modelDir, 'brandwright/tiny-demo'), name: 'brandwright/tiny-demo' });
    hub.failures['tokenizer.json'] = [503, 503, 503];
    await assert.rejects(pull(modelDir, { retries: 3 }), (e: GenerationError) =>
      /tokenizer\.json: HTTP 503 after 3 attempts/.test(e.message),
    );
    assert.ok(existsSync(join(modelDir, 'acme/tiny/onnx/model.onnx')), 'the weights are in place, the tokenizer is not');
    const partial = listModels(modelDir).find((m) => m.id === 'acme/tiny');
    assert.ok(partial, 'listed, so `models list` can say so');
    assert.equal(partial.complete, false);
    assert.equal(resolveTextModel(modelDir).id, 'brandwright/tiny-demo');
    assert.throws(
      () => resolveTextModel(modelDir, 'acme/tiny'),
      (e: GenerationError) => e.code === GenerationErrorCode.MODEL_NOT_FOUND && /only partly pulled/.test(e.message),
    );
    await pull(modelDir);
    assert.equal(listModels(modelDir).find((m) => m.id === 'acme/tiny')?.complete, true);
    assert.equal(resolveTextModel(modelDir).id, 'acme/tiny', 'a pulled model is preferred to the demo');
  });

  test('--onnx-file takes another export as onnx/model.onnx and keeps its external data by name', async () => {
    const { dir } = await pull(join(root, 'h'), { onnxFile: 'onnx/model_q4.onnx' });
    assert.deepEqual(readFileSync(join(dir, 'onnx', 'model.onnx')), q4);
    assert.deepEqual(readFileSync(join(dir, 'onnx', 'model_q4.onnx_data')), q4Data);
    assert.equal(existsSync(join(dir, 'onnx', 'model_q4.onnx')), false);
    assert.deepEqual(gets('onnx/model.onnx'), [], 'the fp32 export is not fetched');
  });
});

describe('models CLI', () => {
  // Asynchronous: the fake hub answers from this process.
  const cli = (args: string[], env: Record<string, string>) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['-r', '@swc-node/register', join(__dirname, '..', 'cli', 'models.ts'), ...args],
        { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 },
        (error, stdout, stderr) => resolve({ status: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
      );
    });

  test('an error after the progress bar starts on a line of its own', async () => {
    hub.failures['onnx/model.onnx'] = [403];
    const run = await cli(['pull', 'acme/tiny'], { MODEL_DIR: join(root, 'cli'), HF_ENDPOINT: endpoint });
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, /\r\[#*\.*\]/, 'the progress bar was drawn');
    const errorLine = run.stderr.split('\n').find((line) => line.includes('DOWNLOAD_FAILED'));
    assert.ok(errorLine, run.stderr);
    assert.match(errorLine, /^DOWNLOAD_FAILED: .*HTTP 403.*HF_TOKEN/);
  });

  test('models list shows each text model with its signature and flags incomplete and demo models', async () => {
    const modelDir = join(root, 'list');
    buildTinyTextModel({ dir: join(modelDir, 'brandwright/tiny-demo'), name: 'brandwright/tiny-demo' });
    buildTinyTextModel({ dir: join(modelDir, 'acme/fp16'), name: 'acme/fp16', idType: 'int32', cacheType: 'float16', contextLength: 1024 });
    buildTinyTextModel({ dir: join(modelDir, 'acme/partial'), name: 'acme/partial' });
    rmSync(join(modelDir, 'acme/partial/onnx/model.onnx'));
    const run = await cli(['list'], { MODEL_DIR: modelDir });
    assert.equal(run.status, 0, run.stderr);
    const line = (id: string) => run.stdout.split('\n').find((l) => l.startsWith(id)) ?? '';
    assert.match(
      line('brandwright/tiny-demo'),
      /ids int64, cache float32, past_key_values\.N\.key\/value × 2, context 2048; demo, random weights/,
    );
    assert.match(line('acme/fp16'), /ids int32, cache float16, past_key_values\.N\.key\/value × 2, context 1024/);
    assert.match(line('acme/partial'), /INCOMPLETE \(never loaded\): run `npm run models -- pull acme\/partial`/);
  });
});
