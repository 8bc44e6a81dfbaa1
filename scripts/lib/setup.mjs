// Shared by `npm start` and `npm test`: make sure dependencies are installed before anything
// imports them, so both commands work on a fresh clone.
import { existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export function ensureInstalled(root) {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  const fresh = existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs;
  if (fresh) return;
  console.log('Installing dependencies (npm ci)…');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
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
