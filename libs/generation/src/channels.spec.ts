import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

/** Loads `specifier` in a fresh node (as the dashboard's bundle would) and lists what it pulled in. */
function load(specifier: string): { modules: string[]; exported: string[]; error?: string } {
  const script = `
    let exported = [], error;
    try { exported = Object.keys(require(${JSON.stringify(specifier)})); } catch (e) { error = e.code ?? e.message; }
    console.log(JSON.stringify({ modules: Object.keys(require.cache), exported, error }));`;
  const r = spawnSync(process.execPath, ['-r', '@swc-node/register', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const engine = /node_modules\/(onnxruntime-node|sharp)\//;

test('@brandwright/generation/channels gives the channel specs without loading the engine', () => {
  const { modules, exported, error } = load('@brandwright/generation/channels');
  assert.equal(error, undefined);
  assert.ok(exported.includes('CHANNEL_SPECS') && exported.includes('CHANNEL_IDS'), exported.join());
  const generation = modules.filter((m) => m.includes('/libs/generation/'));
  assert.ok(generation.length > 0, 'the entry was loaded from libs/generation');
  assert.deepEqual(
    modules.filter((m) => engine.test(m)),
    [],
  );
});

test('the root entry does load the engine (so the check above can tell)', () => {
  const { modules, error } = load('@brandwright/generation');
  assert.equal(error, undefined);
  assert.ok(modules.some((m) => engine.test(m)));
});

test('a path inside the package is refused at run time: only package.json "exports" entries resolve', () => {
  const { error } = load('@brandwright/generation/src/voice/channel-specs');
  assert.equal(error, 'ERR_PACKAGE_PATH_NOT_EXPORTED');
});
