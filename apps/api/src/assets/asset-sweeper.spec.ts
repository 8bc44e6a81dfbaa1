import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Redis from 'ioredis';
import pg from 'pg';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { AssetSweeper } from './asset-sweeper';
import { LocalAssetStorage } from './local-asset-storage';

/**
 * The orphan asset sweep against real PostgreSQL (as the app role, through asset_files_in_use),
 * real Redis (its lock) and real files: only old files that no asset row names and whose job is
 * finished go.
 */
let database: TestDatabase;
let owner: pg.Client;
let app: pg.Client;
let redis: Redis;
let dir: string;

before(async () => {
  database = await createTestDatabase();
  owner = new pg.Client({ connectionString: database.url });
  await owner.connect();
  app = new pg.Client({ connectionString: database.url, options: '-c role=brandwright_app' });
  await app.connect();
  redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  dir = mkdtempSync(join(tmpdir(), 'bw-asset-sweep-'));
});

after(async () => {
  await app?.end();
  await owner?.end();
  redis?.disconnect();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

test('the asset sweep deletes old files no row names, and keeps named, young and in-progress ones', async () => {
  const ws = randomUUID();
  const brand = randomUUID();
  await owner.query(`INSERT INTO workspaces (id, name, slug) VALUES ($1, 'W', $2)`, [ws, `w-${ws}`]);
  await owner.query(`INSERT INTO brands (id, workspace_id, name, style_rules) VALUES ($1, $2, 'B', '{}')`, [brand, ws]);
  const job = async (status: string) => {
    const id = randomUUID();
    await owner.query(
      `INSERT INTO generation_jobs (id, workspace_id, kind, status, brand_id, input) VALUES ($1, $2, 'AD_IMAGES', $3, $4, '{}')`,
      [id, ws, status, brand],
    );
    return id;
  };
  const [done, failed, running] = [await job('SUCCEEDED'), await job('FAILED'), await job('RUNNING')];
  const named = `${ws}/${done}/0/square.png`;
  await owner.query(
    `INSERT INTO assets (workspace_id, job_id, brand_id, variant, format, file_kind, storage_key, mime_type, width, height, size_bytes)
     VALUES ($1, $2, $3, 0, 'square', 'PNG', $4, 'image/png', 1, 1, 1)`,
    [ws, done, brand, named],
  );
  const storage = new LocalAssetStorage(dir);
  const files = {
    named,
    orphanOfDone: `${ws}/${done}/1/square.png`,
    orphanOfFailed: `${ws}/${failed}/0/story.png`,
    inProgress: `${ws}/${running}/0/square.png`,
    young: `${ws}/${failed}/1/story.png`,
  };
  for (const key of Object.values(files)) await storage.put(key, Buffer.from('png'));
  const old = new Date(Date.now() - 2 * 3_600_000);
  for (const key of Object.values(files)) if (key !== files.young) utimesSync(join(dir, key), old, old);

  const dataSource = { query: (sql: string, params: unknown[]) => app.query(sql, params).then((r) => r.rows) } as unknown as DataSource;
  const sweeper = new AssetSweeper(dataSource, redis, storage, pino({ level: 'silent' }), {
    prefix: `bwtest-${database.name}`,
    intervalMs: 60_000,
    olderThanMs: 3_600_000,
  });
  const deleted = await sweeper.sweepOnce();
  assert.deepEqual(deleted.sort(), [files.orphanOfDone, files.orphanOfFailed].sort());
  for (const key of [files.named, files.inProgress, files.young]) assert.ok(existsSync(join(dir, key)), `${key} is kept`);
  for (const key of deleted) assert.ok(!existsSync(join(dir, key)), `${key} is gone`);
});
