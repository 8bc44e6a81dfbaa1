import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { DEMO_MODEL_ID, buildTinyTextModel } from '@brandwright/generation';
import { testEnv } from '../support/app';
import type { TestDatabase } from '../support/database';

/** A tiny test-size text model that never stops early (so a job lasts long enough to interrupt). */
export function buildTestModel(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bw-jobs-models-'));
  buildTinyTextModel({ dir: join(dir, DEMO_MODEL_ID), size: 'test', name: DEMO_MODEL_ID, suppressEos: true });
  return dir;
}

export interface WorkerProcess {
  child: ChildProcess;
  logs: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Spawns the real worker entry (a separate process, as production runs it) and waits until it takes jobs. */
export async function startWorker(database: TestDatabase, overrides: Record<string, string>): Promise<WorkerProcess> {
  const env = { ...process.env, ...testEnv(database, { LOG_LEVEL: 'info', ...overrides }) };
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/api/src/worker.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Array<Record<string, unknown>> = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === 'worker ready') resolve();
      } catch {
        /* not a log line */
      }
    });
    void exited.then((code) => reject(new Error(`worker exited (${code}) before it was ready: ${stderr.slice(-2000)}`)));
  });
  await ready;
  return {
    child,
    logs,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs SQL as the database owner (checks that must see every row). */
export async function ownerQuery<T = Record<string, unknown>>(database: TestDatabase, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Polls until `check` returns a value (not undefined/false); gives up after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Subscribes over graphql-ws to the real api, collecting every update until the job ends. */
export function subscribe(url: string, token: string, query: string, variables: Record<string, unknown>) {
  const client = createClient({
    url: url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  const updates: Array<Record<string, any>> = [];
  const done = new Promise<Array<Record<string, any>>>((resolve, reject) => {
    client.subscribe(
      { query, variables },
      {
        next: (value) => {
          if (value.errors) reject(new Error(JSON.stringify(value.errors)));
          else updates.push(value.data as Record<string, any>);
        },
        error: (err) => reject(err instanceof Error ? err : new Error(JSON.stringify(err))),
        complete: () => resolve(updates),
      },
    );
  });
  return { updates, done: done.finally(() => client.dispose()) };
}
