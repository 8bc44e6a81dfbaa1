import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * A fresh database for one test file, cloned from the run's migrated template (scripts/test.mjs
 * makes it). Cloning takes a fraction of a second; migrating would take several.
 */
export interface TestDatabase {
  name: string;
  /** Connects as the owner (superuser here): for setup and for checks that must bypass nothing. */
  url: string;
  drop(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the suite with `npm test` (it prepares the database).');
  return url;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl(), 'postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const template = process.env.TEST_DATABASE_TEMPLATE;
  if (!template) throw new Error('TEST_DATABASE_TEMPLATE is not set: run the suite with `npm test`.');
  const name = `bw_test_${randomBytes(4).toString('hex')}_${process.env.TEST_RUN_ID ?? 'local'}`;
  // CREATE DATABASE … TEMPLATE needs the template free of other sessions; retry briefly if a
  // parallel test file is cloning it at the same moment.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin((c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
      break;
    } catch (err) {
      if (attempt >= 20 || !/being accessed by other users/.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  return {
    name,
    url: withDatabase(serverUrl(), name),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}
