import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { BrandwrightClient } from '../../clients/node/src';
import { signatureHeader } from '../../apps/api/src/webhooks/webhook-signature';
import { startApp, type TestApp } from '../support/app';
import { type WorkerProcess, buildTestModel, startWorker } from '../jobs/support';

const run = promisify(execFile);

/** The code block after `<!-- quickstart:<name> -->` in docs/api.md, exactly as a reader copies it. */
function snippet(name: string): string {
  const doc = readFileSync('docs/api.md', 'utf8');
  const at = doc.indexOf(`<!-- quickstart:${name} -->`);
  assert.ok(at >= 0, `docs/api.md has the ${name} quickstart`);
  const open = doc.indexOf('```js\n', at) + '```js\n'.length;
  return doc.slice(open, doc.indexOf('\n```', open));
}

/** A folder outside the repository, as a reader's project, with graphql-ws and ws installed. */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bw-quickstart-'));
  symlinkSync(resolve('node_modules'), join(dir, 'node_modules'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('docs/api.md quickstart, pasted and run', () => {
  let api: TestApp;
  let worker: WorkerProcess;
  let modelDir: string;
  const dirs: string[] = [];
  before(async () => {
    modelDir = buildTestModel();
    const env = { MODEL_DIR: modelDir, WORKER_QUEUES: 'generate-text', TEXT_CONCURRENCY: '2', DASHBOARD_DIR: '/nonexistent' };
    api = await startApp(env);
    worker = await startWorker(api.database, env);
  });
  after(async () => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await worker?.stop('SIGKILL');
    await api?.close();
    if (modelDir) rmSync(modelDir, { recursive: true, force: true });
  });

  test('key → generateCopy → subscribe → results', async () => {
    const session = await new BrandwrightClient({ url: api.url }).mutate('signUp', {
      input: { email: `quickstart-${Date.now()}@example.com`, password: 'correct horse battery', name: 'Reader' },
    });
    const person = new BrandwrightClient({ url: api.url, token: session.accessToken });
    const brand = await person.mutate('createBrand', { input: { name: 'Acme' } });
    const key = await person.mutate('createApiKey', { input: { name: 'quickstart', scopes: ['READ', 'GENERATE'] } });

    const dir = project({ 'quickstart.mjs': snippet('copy') });
    dirs.push(dir);
    const { stdout } = await run(process.execPath, ['quickstart.mjs'], {
      cwd: dir,
      env: { ...process.env, BRANDWRIGHT_URL: api.url, BRANDWRIGHT_KEY: key.secret, BRANDWRIGHT_BRAND_ID: brand.id },
      timeout: 120_000,
    });
    assert.match(stdout, /\nSUCCEEDED\n/);
    const variants = stdout.split('\n').filter((line) => /^#\d \(voice [\d.]+\): ./.test(line));
    assert.equal(variants.length, 2, stdout);
  });

  test('the webhook check accepts what the api signs and never throws on anything else', async () => {
    const secret = 'whsec_quickstart';
    const body = JSON.stringify({ id: 'job.completed:1', type: 'job.completed' });
    const cases = [
      [signatureHeader(secret, body), true],
      [signatureHeader('someone else', body), false],
      [signatureHeader(secret, body, Math.floor(Date.now() / 1000) - 600), false],
      ['garbage', false],
      ['t=1,v1=zz', false],
      ['', false],
      [null, false],
    ] as const;
    const dir = project({
      'verify.mjs': snippet('webhook'),
      'check.mjs': `import { verifyBrandwrightSignature } from './verify.mjs';
const cases = ${JSON.stringify(cases)};
console.log(JSON.stringify(cases.map(([header]) => verifyBrandwrightSignature(${JSON.stringify(secret)}, header, ${JSON.stringify(body)}))));`,
    });
    dirs.push(dir);
    const { stdout } = await run(process.execPath, ['check.mjs'], { cwd: dir });
    assert.deepEqual(
      JSON.parse(stdout),
      cases.map(([, expected]) => expected),
    );
  });
});
