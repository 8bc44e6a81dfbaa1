import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTinyDiffusionModel } from '../../models/tiny-diffusion';
import { ClipTokenizer } from '../diffusion/clip-tokenizer';
import { SCHEDULER_NAMES } from '../diffusion/schedulers';
import { ImageError, ImageErrorCode } from '../image-error';
import { ImageEngine } from './image-engine';
import { silentLogger } from './open-session';

const root = mkdtempSync(join(tmpdir(), 'bw-image-engine-'));
const modelDir = join(root, 'brandwright', 'tiny-diffusion');
let engine: ImageEngine;

before(async () => {
  buildTinyDiffusionModel({ dir: modelDir });
  engine = await ImageEngine.start({ modelDir: root, executionProvider: 'cpu', logger: silentLogger });
});
after(async () => {
  await engine?.close();
  rmSync(root, { recursive: true, force: true });
});

const request = {
  prompt: 'a photo of coffee on a table',
  negativePrompt: 'blurry',
  width: 128,
  height: 96,
  seed: 1234,
  steps: 4,
  guidance: 6,
};

describe('diffusion image engine (tiny Optimum-signature pipeline, in a worker thread)', () => {
  test('finds the diffusion model under MODEL_DIR and reports what it runs on', () => {
    assert.equal(engine.info.kind, 'diffusion');
    assert.equal(engine.info.modelId, 'brandwright/tiny-diffusion');
    assert.equal(engine.info.provider, 'cpu');
    assert.equal(engine.info.isDemo, true);
  });

  test('runs end to end with every scheduler, reporting progress per step', async () => {
    for (const scheduler of SCHEDULER_NAMES) {
      const steps = scheduler === 'turbo' ? 2 : 4;
      const progress: string[] = [];
      const picture = await engine.generate({ ...request, scheduler, steps }, { onProgress: (p) => progress.push(`${p.step}/${p.total}`) });
      assert.equal(picture.width, 128);
      assert.equal(picture.height, 96);
      assert.equal(picture.rgb.length, 128 * 96 * 3);
      assert.equal(picture.scheduler, scheduler);
      assert.deepEqual(
        progress,
        Array.from({ length: steps }, (_, i) => `${i + 1}/${steps}`),
        scheduler,
      );
      const distinct = new Set(picture.rgb).size;
      assert.ok(distinct > 16, `${scheduler} produced a flat image`);
    }
  });

  test('the same seed gives the same pixels; another seed or prompt does not', async () => {
    const a = await engine.generate(request);
    const b = await engine.generate(request);
    assert.deepEqual(Buffer.from(a.rgb), Buffer.from(b.rgb));
    const c = await engine.generate({ ...request, seed: 99 });
    assert.notDeepEqual(Buffer.from(a.rgb), Buffer.from(c.rgb));
    const d = await engine.generate({ ...request, prompt: 'mountain landscape at sunset' });
    assert.notDeepEqual(Buffer.from(a.rgb), Buffer.from(d.rgb));
    // Guidance changes the result only through the negative/positive difference: with guidance 1 it is off.
    const unguided = await engine.generate({ ...request, guidance: 1, negativePrompt: 'anything' });
    const unguided2 = await engine.generate({ ...request, guidance: 1, negativePrompt: 'something else' });
    assert.deepEqual(Buffer.from(unguided.rgb), Buffer.from(unguided2.rgb));
  });

  test('an AbortSignal stops the run between steps', async () => {
    const controller = new AbortController();
    let last = 0;
    await assert.rejects(
      engine.generate(
        // The most steps the scheduler takes, so the run is still going when step 1's progress
        // reaches this thread even on a fast machine (the tiny UNet takes well under a millisecond a step).
        { ...request, steps: 150 },
        { signal: controller.signal, onProgress: (p) => ((last = p.step), p.step === 1 && controller.abort()) },
      ),
      (e: ImageError) => e instanceof ImageError && e.code === ImageErrorCode.CANCELLED,
    );
    assert.ok(last < 150);
    // The engine keeps working after a cancellation.
    assert.equal((await engine.generate(request)).width, 128);
  });

  test('sizes that are not multiples of 8 and bad steps are typed errors', async () => {
    await assert.rejects(
      engine.generate({ ...request, width: 130 }),
      (e: ImageError) => e.code === ImageErrorCode.UNSUPPORTED_SIZE && e.subject === 'width',
    );
    await assert.rejects(
      engine.generate({ ...request, scheduler: 'turbo', steps: 8 }),
      (e: ImageError) => e.code === ImageErrorCode.INVALID_REQUEST && e.subject === 'steps',
    );
  });

  test('the event loop stays free while the worker denoises', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await engine.generate({ ...request, width: 256, height: 256, steps: 12 });
    clearInterval(timer);
    assert.ok(ticks >= 3, `only ${ticks} timer ticks ran during generation`);
  });

  test('CLIP tokenisation gives 77 ids wrapped in start/end tokens, truncating long prompts', () => {
    const tokenizer = ClipTokenizer.load(join(modelDir, 'tokenizer'));
    const ids = tokenizer.encode('A Photo of the product');
    assert.equal(ids.length, 77);
    assert.equal(ids[0], tokenizer.bosId);
    const end = ids.indexOf(tokenizer.eosId);
    assert.ok(end > 1 && ids.slice(end).every((id) => id === tokenizer.padId));
    assert.deepEqual(tokenizer.encode('a photo OF the Product'), ids, 'CLIP lower-cases');
    const long = tokenizer.encode('studio light '.repeat(100));
    assert.equal(long.length, 77);
    assert.equal(long[76], tokenizer.eosId);
  });

  test('a float32 timestep export works too (dtype read from the session)', async () => {
    const dir = join(root, 'float-timestep');
    buildTinyDiffusionModel({ dir, timestepType: 'float32', name: 'test/float-timestep' });
    const other = await ImageEngine.start({ modelDir: dir, executionProvider: 'cpu', logger: silentLogger });
    try {
      const picture = await other.generate({ ...request, scheduler: 'ddim' });
      assert.equal(picture.modelId, 'test/float-timestep');
      assert.equal(picture.rgb.length, 128 * 96 * 3);
    } finally {
      await other.close();
    }
  });

  test('a model folder with a missing part is a typed error naming the part', async () => {
    const dir = join(root, 'broken');
    cpSync(modelDir, dir, { recursive: true });
    renameSync(join(dir, 'unet', 'model.onnx'), join(dir, 'unet', 'model.onnx.bak'));
    await assert.rejects(
      ImageEngine.start({ modelDir: dir, executionProvider: 'cpu', logger: silentLogger }),
      (e: ImageError) => e instanceof ImageError && e.code === ImageErrorCode.MODEL_PART_MISSING && e.subject === 'unet/model.onnx',
    );
  });
});
