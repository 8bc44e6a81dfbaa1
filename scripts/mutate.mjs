#!/usr/bin/env node
// `npm run mutate [-- <target>...]`: StrykerJS over the targets in stryker.config.mjs (all when none
// are named), against this machine's PostgreSQL and Redis like `npm test`. Not part of CI (it runs
// a target's tests once per mutant); prints Stryker's score table per file at the end.
import { spawn, spawnSync } from 'node:child_process';
import { adminUrlFrom, ensureInstalled } from './lib/setup.mjs';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
process.chdir(root);
ensureInstalled(root);

const targets = process.argv.slice(2).filter((a) => !a.startsWith('-'));
// Anything else goes to Stryker (e.g. --timeoutMS 20000).
const strykerFlags = process.argv.slice(2).filter((a, i, all) => a.startsWith('-') || all[i - 1]?.startsWith('-'));
const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const runId = `m${Date.now().toString(36)}${process.pid.toString(36)}`;
const template = `bw_test_tpl_${runId}`;
const admin = adminUrlFrom(databaseUrl);
const templateUrl = Object.assign(new URL(databaseUrl), { pathname: `/${template}` }).toString();

function psql(sql, url = admin) {
  const r = spawnSync('node', ['scripts/lib/sql.mjs', url, sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`SQL failed (${sql}): ${r.stderr}`);
  return r.stdout;
}

// One migrated template for every mutant's run; each test file clones it (test/support/database.ts).
psql(`CREATE DATABASE "${template}"`);
const migrate = spawnSync('node', ['-r', '@swc-node/register', 'migrations/cli.ts', 'run'], {
  env: { ...process.env, DATABASE_URL: templateUrl, LOG_LEVEL: 'warn' },
  encoding: 'utf8',
});
if (migrate.status !== 0) {
  console.error(migrate.stdout, migrate.stderr);
  psql(`DROP DATABASE IF EXISTS "${template}"`);
  process.exit(1);
}

const child = spawn(process.execPath, ['node_modules/@stryker-mutator/core/bin/stryker.js', 'run', 'stryker.config.mjs', ...strykerFlags], {
  stdio: 'inherit',
  env: {
    ...process.env,
    MUTATE_TARGETS: targets.filter((t) => !strykerFlags.includes(t)).join(','),
    NODE_ENV: 'test',
    TEST_DATABASE_URL: databaseUrl,
    TEST_DATABASE_TEMPLATE: template,
    TEST_REDIS_URL: redisUrl,
    TEST_RUN_ID: runId,
    LOG_LEVEL: 'silent',
  },
});
const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
try {
  const leftovers = psql(`SELECT datname FROM pg_database WHERE datname LIKE 'bw_test_%${runId}%'`)
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const db of leftovers) psql(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
} catch (err) {
  console.error(String(err));
}
process.exit(code);
