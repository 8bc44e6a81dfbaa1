import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTinyTextModel } from '../models/tiny-text-model';
import { TextEngine } from './text-engine';
import { GenerationErrorCode, type GenerationError } from './generation-error';
import type { GenerationRequest } from './generation-request';

/**
 * Every request ends, whatever the inference thread does: a forward pass that throws, a thread
 * that crashes, a thread stuck in a run that never returns (the watchdog). Faults are injected
 * into the real thread's forward passes by marker text; the engine must stay usable afterwards.
 * Test timeouts turn a regression (a request that never ends) into a failure, not a hang.
 */
const dir = mkdtempSync(join(tmpdir(), 'text-engine-failures-'));
let engine: TextEngine;

before(async () => {
  buildTinyTextModel({ dir, seed: 9, name: 'test/failures' });
  engine = await TextEngine.start({
    modelDir: dir,
    threads: 1,
    executionProvider: 'cpu',
    stallTimeoutMs: 500,
    faults: { throwOnText: 'zzthrow', hangOnText: 'zzhang', crashOnText: 'zzcrash' },
  });
});

after(async () => {
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

const request = (prompt: string): GenerationRequest => ({ prompt, maxNewTokens: 12, ignoreEos: true });
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (e: GenerationError) => e.code,
  );

describe('TextEngine when inference fails', () => {
  test('a throwing forward pass fails its request with INFERENCE_FAILED; others and later ones run', { timeout: 30_000 }, async () => {
    const expected = (await engine.generate(request('Fresh coffee'))).text;
    const [failed, fine] = await Promise.all([
      codeOf(engine.generate(request('zzthrow now'))),
      engine.generate(request('Fresh coffee')).then((r) => r.text),
    ]);
    assert.equal(failed, GenerationErrorCode.INFERENCE_FAILED);
    // Joined in the same prefill or not, the good request ends with its own text or a coded error,
    // never silence; run alone afterwards it is unchanged.
    assert.equal(fine, expected);
    assert.equal((await engine.generate(request('Fresh coffee'))).text, expected);
  });

  test(
    'a thread stuck in a forward pass: the watchdog fails its requests, a fresh thread serves the next',
    { timeout: 30_000 },
    async () => {
      const expected = (await engine.generate(request('Save time'))).text;
      const code = await codeOf(engine.generate(request('zzhang forever')));
      assert.equal(code, GenerationErrorCode.GENERATION_STALLED);
      assert.equal((await engine.generate(request('Save time'))).text, expected);
    },
  );

  test('a crashed inference thread fails its requests with INFERENCE_FAILED; the engine starts another', { timeout: 30_000 }, async () => {
    const expected = (await engine.generate(request('Our plans'))).text;
    const code = await codeOf(engine.generate({ ...request('zzcrash please'), maxNewTokens: 200 }));
    assert.equal(code, GenerationErrorCode.INFERENCE_FAILED);
    assert.equal((await engine.generate(request('Our plans'))).text, expected);
  });

  test('close() ends even when the thread is stuck in a forward pass', { timeout: 30_000 }, async () => {
    const logs: string[] = [];
    const stuck = await TextEngine.start({
      modelDir: dir,
      threads: 1,
      stallTimeoutMs: 400,
      faults: { hangOnText: 'zzhang' },
      log: (m) => logs.push(m),
    });
    const request = codeOf(stuck.generate({ prompt: 'zzhang now', maxNewTokens: 4 }));
    await new Promise((resolve) => setTimeout(resolve, 100)); // the thread is inside the pass
    await stuck.close();
    assert.ok(
      logs.some((m) => /did not close in time; terminating it|silent for \d+ ms; replacing it/.test(m)),
      logs.join('\n'),
    );
    assert.ok([GenerationErrorCode.ENGINE_CLOSED, GenerationErrorCode.GENERATION_STALLED].includes((await request) as GenerationErrorCode));
  });
});
