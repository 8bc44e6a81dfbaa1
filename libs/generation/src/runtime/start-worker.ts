/**
 * Starts a TypeScript worker file. Workers inherit execArgv, so under `node -r @swc-node/register`
 * a .ts worker loads as is; when the register hook was loaded another way (or not at all), the
 * worker preloads it itself.
 */
import { Worker } from 'node:worker_threads';

export function startTsWorker(file: string, workerData: unknown): Worker {
  const hasRegister = process.execArgv.some((a) => a.includes('@swc-node/register'));
  if (!file.endsWith('.ts') || hasRegister) return new Worker(file, { workerData });
  const bootstrap = `require('@swc-node/register'); require(${JSON.stringify(file)});`;
  return new Worker(bootstrap, { eval: true, workerData });
}
