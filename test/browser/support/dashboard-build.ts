import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const DASHBOARD = resolve(__dirname, '../../../apps/dashboard');

/**
 * Builds the dashboard with Vite into a temp folder, so a test serves exactly what `npm start`
 * would, without touching the repo's dist/ (which `npm start` may be serving).
 */
export function buildDashboard(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'bw-dashboard-'));
  const vite = join(dirname(require.resolve('vite/package.json', { paths: [DASHBOARD] })), 'bin/vite.js');
  const build = () =>
    spawnSync(process.execPath, [vite, 'build', '--outDir', dir, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: DASHBOARD,
      encoding: 'utf8',
      env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
    });
  // Browser test files run in parallel; Vite allows one build of a project at a time, so wait
  // for the other file's build to finish (each writes to its own folder).
  let result = build();
  for (let attempt = 0; result.status !== 0 && /another Vite build process/.test(result.stderr) && attempt < 120; attempt++) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    result = build();
  }
  if (result.status !== 0) throw new Error(`vite build failed:\n${result.stdout}\n${result.stderr}`);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
