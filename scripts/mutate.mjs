#!/usr/bin/env node
// `npm run mutate [-- <target>...]`: StrykerJS over the targets in stryker.config.mjs (all when none
// are named), against this machine's PostgreSQL and Redis like `npm test`. Not part of CI (it runs
// a target's tests once per mutant); prints Stryker's score table per file at the end.
import { spawn } from 'node:child_process';
import { ensureInstalled } from './lib/setup.mjs';
import { createTemplateDatabase, dropRunDatabases } from './lib/test-database.mjs';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
process.chdir(root);
ensureInstalled(root);

const targets = process.argv.slice(2).filter((a) => !a.startsWith('-'));
// Anything else goes to Stryker (e.g. --timeoutMS 20000).
const strykerFlags = process.argv.slice(2).filter((a, i, all) => a.startsWith('-') || all[i - 1]?.startsWith('-'));
const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const runId = `m${Date.now().toString(36)}${process.pid.toString(36)}`;
// One migrated template for every mutant's run.
const template = createTemplateDatabase(databaseUrl, runId);
if (!template) process.exit(1);

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
dropRunDatabases(databaseUrl, runId);
process.exit(code);
