// Shared by `npm start` and `npm test`: make sure dependencies are installed before anything
// imports them, so both commands work on a fresh clone.
import { existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export function ensureInstalled(root) {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  const fresh = () => existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs;
  if (fresh()) return;
  // Several checkouts' commands may notice a stale install at once: one `npm ci` at a time (npm ci
  // deletes node_modules first), and none when another process finished one while we waited.
  const lockFile = '/tmp/npm.lock';
  const hasFlock = spawnSync('flock', ['--version'], { stdio: 'ignore' }).status === 0;
  if (hasFlock) {
    const waited = spawnSync('flock', [lockFile, 'true'], { stdio: 'ignore' });
    if (waited.status === 0 && fresh()) return;
  }
  console.log('Installing dependencies (npm ci)…');
  const [cmd, args] = hasFlock ? ['flock', [lockFile, 'npm', 'ci', '--no-audit', '--no-fund']] : ['npm', ['ci', '--no-audit', '--no-fund']];
  const r = spawnSync(cmd, args, {
    cwd: root,
    stdio: 'inherit',
    // onnxruntime-node's postinstall would otherwise download CUDA libraries.
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
  });
  if (r.status !== 0) {
    console.error('npm ci failed: see the output above.');
    process.exit(1);
  }
}

/** The same server, database `postgres`: where CREATE DATABASE is run from. */
export function adminUrlFrom(url) {
  const u = new URL(url);
  u.pathname = '/postgres';
  return u.toString();
}
