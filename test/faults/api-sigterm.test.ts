import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { testEnv } from '../support/app';
import { gql } from '../support/graphql';
import { assertRecovered, startStack, type Stack } from './stack';
import { freePort } from './servers';

/**
 * The api sent SIGTERM while clients create jobs as fast as they can (a rolling deploy). It must
 * stop taking requests, finish the ones in flight and exit 0; every job a client was told about
 * exists and runs once, and so does every job it committed without getting the answer out.
 */
let stack: Stack;

before(async () => {
  stack = await startStack({ redisPersistence: true });
  await stack.startWorker();
});

after(async () => {
  await stack?.close();
});

test('api SIGTERM under load: requests in flight finish, no accepted job is lost or run twice', async () => {
  const port = await freePort();
  const env = { ...process.env, ...testEnv(stack.pg.database, { ...stack.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' }) };
  const api = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/api/src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  api.stderr!.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<string>((resolve) => api.once('exit', (code, signal) => resolve(signal ?? String(code))));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: api.stdout! }).on('line', (line) => line.includes('api listening') && resolve());
    void exited.then((code) => reject(new Error(`the api exited (${code}) before it listened`)));
  });
  const url = `http://127.0.0.1:${port}`;

  const accepted: string[] = [];
  let refused = 0;
  let stop = false;
  const client = async (n: number) => {
    for (let i = 0; !stop; i++) {
      try {
        const result = await gql(
          url,
          `mutation($input: GenerateCopyInput!) { generateCopy(input: $input) { id } }`,
          { input: { brandId: stack.brandId, channel: 'META_HEADLINE', brief: `Deploy day ${n}-${i}`, variants: 1 } },
          stack.token,
        );
        if (result.data?.generateCopy) accepted.push(result.data.generateCopy.id as string);
        else refused += 1;
      } catch {
        refused += 1; // connection refused or reset: the server is gone; the client would retry elsewhere
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  const clients = [0, 1, 2, 3].map(client);
  while (accepted.length < 6) await new Promise((r) => setTimeout(r, 20));
  api.kill('SIGTERM');
  const code = await exited;
  const stopped = Date.now();
  stop = true;
  await Promise.all(clients);
  // Nest's shutdown hooks close the app, then re-raise the signal: exit 0 or "killed by SIGTERM".
  assert.ok(code === '0' || code === 'SIGTERM', `the api shut down cleanly (exit ${code}): ${stderr.slice(-2000)}`);
  console.log(`# api SIGTERM: ${accepted.length} jobs accepted, ${refused} requests refused or cut off`);

  // Every committed job counts, answered or not.
  const rows = await stack.owner<{ id: string }>(`SELECT id FROM generation_jobs WHERE workspace_id = $1`, [stack.workspaceId]);
  const committed = new Set(rows.map((r) => r.id));
  assert.deepEqual(
    accepted.filter((id) => !committed.has(id)),
    [],
    'every job a client was told about exists',
  );
  stack.jobs.push(...committed);
  await assertRecovered(stack, 'api SIGTERM under load', stopped, 60_000);
});
