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

/**
 * Counts every attempt to complete a job or to write what a completion writes, including the
 * inserts a UNIQUE index would silently absorb (BEFORE INSERT triggers fire for rows that
 * ON CONFLICT DO NOTHING then skips). A job completed twice shows up here even when the tables
 * look clean. Installed as the owner; the functions are SECURITY DEFINER so the app role's
 * writes are recorded too.
 */
export async function installCompletionAudit(database: TestDatabase): Promise<void> {
  await ownerQuery(
    database,
    `CREATE TABLE test_completion_audit (tbl text NOT NULL, job_id uuid NOT NULL, detail text, at timestamptz NOT NULL DEFAULT clock_timestamp());
     CREATE FUNCTION test_audit_completion() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
     DECLARE r jsonb := to_jsonb(NEW);
     BEGIN
       INSERT INTO test_completion_audit (tbl, job_id, detail) VALUES (
         TG_TABLE_NAME,
         CASE TG_TABLE_NAME WHEN 'generation_jobs' THEN r->>'id'
                            WHEN 'webhook_deliveries' THEN substring(r->>'event_key' from '[0-9a-f-]{36}$')
                            ELSE r->>'job_id' END::uuid,
         CASE TG_TABLE_NAME WHEN 'usage_events' THEN r->>'meter'
                            WHEN 'copy_variants' THEN r->>'rank'
                            WHEN 'webhook_deliveries' THEN (r->>'event_key') || ' ' || (r->>'endpoint_id')
                            ELSE r->>'status' END);
       RETURN NEW;
     END $$;
     CREATE TRIGGER test_audit_completed AFTER UPDATE ON generation_jobs FOR EACH ROW
       WHEN (NEW.status = 'SUCCEEDED' AND NEW.finished_at IS DISTINCT FROM OLD.finished_at) EXECUTE FUNCTION test_audit_completion();
     CREATE TRIGGER test_audit_usage BEFORE INSERT ON usage_events FOR EACH ROW EXECUTE FUNCTION test_audit_completion();
     CREATE TRIGGER test_audit_variants BEFORE INSERT ON copy_variants FOR EACH ROW EXECUTE FUNCTION test_audit_completion();
     CREATE TRIGGER test_audit_outbox BEFORE INSERT ON webhook_deliveries FOR EACH ROW
       WHEN (NEW.event_key LIKE 'job.%') EXECUTE FUNCTION test_audit_completion();`,
  );
}

/** What the audit saw for one job: completions, and write attempts per usage meter / variant rank / webhook. */
export async function completionAudit(database: TestDatabase, jobId: string) {
  const rows = await ownerQuery<{ tbl: string; detail: string; n: number }>(
    database,
    `SELECT tbl, detail, count(*)::int AS n FROM test_completion_audit WHERE job_id = $1 GROUP BY tbl, detail ORDER BY tbl, detail`,
    [jobId],
  );
  const of = (tbl: string) => rows.filter((r) => r.tbl === tbl).map((r) => [r.detail, r.n] as const);
  return {
    completions: rows.filter((r) => r.tbl === 'generation_jobs').reduce((sum, r) => sum + r.n, 0),
    usage: of('usage_events'),
    variants: of('copy_variants'),
    webhooks: of('webhook_deliveries'),
  };
}

/**
 * Holds a job's completion transaction inside COMMIT: a deferred trigger takes an advisory lock
 * the test holds, so the test knows the worker is exactly at commit, can SIGSTOP it, let the
 * commit finish, and SIGKILL it before it tells BullMQ anything.
 */
export async function installCommitGate(database: TestDatabase): Promise<void> {
  await ownerQuery(
    database,
    `CREATE TABLE test_commit_gate (armed boolean NOT NULL);
     INSERT INTO test_commit_gate VALUES (false);
     CREATE FUNCTION test_commit_gate() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
     BEGIN
       IF (SELECT armed FROM test_commit_gate) THEN PERFORM pg_advisory_xact_lock(${COMMIT_GATE_LOCK}); END IF;
       RETURN NULL;
     END $$;
     CREATE CONSTRAINT TRIGGER test_commit_gate AFTER UPDATE ON generation_jobs DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
       WHEN (NEW.status = 'SUCCEEDED') EXECUTE FUNCTION test_commit_gate();`,
  );
}

const COMMIT_GATE_LOCK = 424242;

/** Closes the gate (the caller's session holds the lock); `waiting()` is true once a commit is held at it. */
export async function closeCommitGate(database: TestDatabase) {
  const holder = new pg.Client({ connectionString: database.url });
  await holder.connect();
  await holder.query(`SELECT pg_advisory_lock($1)`, [COMMIT_GATE_LOCK]);
  await ownerQuery(database, `UPDATE test_commit_gate SET armed = true`);
  return {
    waiting: async () =>
      (
        await ownerQuery(
          database,
          `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          [COMMIT_GATE_LOCK],
        )
      ).length > 0,
    open: async () => {
      await ownerQuery(database, `UPDATE test_commit_gate SET armed = false`);
      await holder.query(`SELECT pg_advisory_unlock($1)`, [COMMIT_GATE_LOCK]);
      await holder.end();
    },
  };
}
