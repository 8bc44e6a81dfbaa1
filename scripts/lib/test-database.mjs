// The migrated template database that one `npm test` or `npm run mutate` run shares: each test
// file clones it (test/support/database.ts). Both runners create it and drop it the same way.
import { spawnSync } from 'node:child_process';
import { adminUrlFrom } from './setup.mjs';

function psql(sql, url) {
  const r = spawnSync('node', ['scripts/lib/sql.mjs', url, sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`SQL failed (${sql}): ${r.stderr}`);
  return r.stdout;
}

/** Creates and migrates `bw_test_tpl_<runId>`; on a failed migration prints why, drops it and returns null. */
export function createTemplateDatabase(databaseUrl, runId) {
  const admin = adminUrlFrom(databaseUrl);
  const template = `bw_test_tpl_${runId}`;
  const templateUrl = Object.assign(new URL(databaseUrl), { pathname: `/${template}` }).toString();
  psql(`CREATE DATABASE "${template}"`, admin);
  const migrate = spawnSync('node', ['-r', '@swc-node/register', 'migrations/cli.ts', 'run'], {
    env: { ...process.env, DATABASE_URL: templateUrl, LOG_LEVEL: 'warn' },
    encoding: 'utf8',
  });
  if (migrate.status !== 0) {
    console.error(migrate.stdout, migrate.stderr);
    psql(`DROP DATABASE IF EXISTS "${template}"`, admin);
    return null;
  }
  return template;
}

/** Drops the run's template and any database a test file left behind. */
export function dropRunDatabases(databaseUrl, runId) {
  const admin = adminUrlFrom(databaseUrl);
  try {
    const leftovers = psql(`SELECT datname FROM pg_database WHERE datname LIKE 'bw_test_%${runId}%'`, admin)
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const db of leftovers) psql(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`, admin);
  } catch (err) {
    console.error(String(err));
  }
}
