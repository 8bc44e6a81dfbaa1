#!/usr/bin/env node
// `npm test`: the whole suite, against this machine's real PostgreSQL and Redis.
// 1. checks both services answer (and says how to get them if not),
// 2. makes a fresh template database for this run and migrates it (test files clone it),
// 3. runs every *.spec.ts / *.test.ts with node:test under @swc-node/register,
// 4. prints `N passed, N failed[, N skipped]` as its last line.
// `npm test -- <path fragment> ...` runs only the files whose path contains a fragment.
// With no fragments (the full run, as CI does it) the gates run first: typecheck, lint and
// `prettier --check` (scripts/lib/gates.mjs). The first that fails stops the run with one line;
// each gate counts as one test in the summary. Filtered runs skip the gates.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';
import net from 'node:net';
import { ensureInstalled } from './lib/setup.mjs';
import { createTemplateDatabase, dropRunDatabases } from './lib/test-database.mjs';
import { runGates } from './lib/gates.mjs';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
process.chdir(root);
ensureInstalled(root);

const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const roots = ['apps/api/src', 'libs', 'test', 'migrations', 'scripts'];
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (/\.(spec|test)\.ts$/.test(name)) files.push(relative(root, path));
  }
}
for (const dir of roots) {
  try {
    walk(join(root, dir));
  } catch {
    /* folder not there yet */
  }
}
const selected = files.filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort();
if (selected.length === 0) {
  console.error('no test files matched');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const gates = filters.length === 0 ? runGates(root) : { passed: 0, failed: 0, failures: [] };
if (gates.failed > 0) {
  console.log(`${gates.passed} passed, ${gates.failed} failed`);
  process.exit(1);
}

const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function reachable(url, defaultPort) {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(u.port || defaultPort), u.hostname);
    socket.setTimeout(2000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}
if (!(await reachable(databaseUrl, 5432))) {
  console.error(`PostgreSQL does not answer at ${databaseUrl}. Start it (see docs/development.md) or set TEST_DATABASE_URL.`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
if (!(await reachable(redisUrl, 6379))) {
  console.error(`Redis does not answer at ${redisUrl}. Start redis-server or set TEST_REDIS_URL.`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const runId = `${Date.now().toString(36)}${process.pid.toString(36)}`;
const template = createTemplateDatabase(databaseUrl, runId);
if (!template) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const outDir = mkdtempSync(join(tmpdir(), 'bw-test-'));
const summaryFile = join(outDir, 'summary.jsonl');
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const child = spawn(
  process.execPath,
  [
    '--require',
    '@swc-node/register',
    '--test',
    `--test-concurrency=${concurrency}`,
    `--test-timeout=${process.env.TEST_TIMEOUT_MS ?? 300000}`, // a hung test fails instead of stalling the run
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=./scripts/test-summary-reporter.mjs',
    `--test-reporter-destination=${summaryFile}`,
    ...selected,
  ],
  {
    stdio: 'inherit',
    env: {
      ...process.env,
      NODE_ENV: 'test',
      TEST_DATABASE_URL: databaseUrl,
      TEST_DATABASE_TEMPLATE: template,
      TEST_REDIS_URL: redisUrl,
      TEST_RUN_ID: runId,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    },
  },
);
const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 1)));

dropRunDatabases(databaseUrl, runId);
// …and the Redis keys of this run's test apps (their prefix is `bwtest-<database>`).
spawnSync('node', ['scripts/lib/redis-clean.mjs', redisUrl, `bwtest-bw_test_*${runId}*`], { encoding: 'utf8' });

let summary = { passed: 0, failed: 1, skipped: 0, failures: ['the test runner produced no summary'] };
try {
  const lines = readFileSync(summaryFile, 'utf8').trim().split('\n');
  summary = JSON.parse(lines[lines.length - 1]);
} catch {
  /* keep the failing default */
}
rmSync(outDir, { recursive: true, force: true });
if (code !== 0 && summary.failed === 0) summary.failed = 1; // a crashed file still counts as a failure
if (summary.failures.length) {
  console.log('\nFailed:');
  for (const f of summary.failures) console.log(`  ✖ ${f}`);
}
const skipped = summary.skipped ? `, ${summary.skipped} skipped` : '';
summary.passed += gates.passed;
console.log(`${summary.passed} passed, ${summary.failed} failed${skipped}`);
process.exit(summary.failed > 0 ? 1 : 0);
