import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { buildTinyTextModel } from '../models/tiny-text-model';
import { OnnxGraph, writeOnnxModel } from '../models/onnx-builder';
import { addCacheSliceOutputs } from './cache-slice-outputs';
import { DecoderModel } from './decoder-model';
import { BatchScheduler } from './batch-scheduler';
import type { GenerationResult } from './generation-request';

const root = mkdtempSync(join(tmpdir(), 'cache-slices-'));
const plainDir = join(root, 'plain');
const externalDir = join(root, 'external');
const fp16Dir = join(root, 'fp16');

before(() => {
  buildTinyTextModel({ dir: plainDir, seed: 5, name: 'test/plain' });
  buildTinyTextModel({ dir: externalDir, seed: 5, name: 'test/external', externalData: true });
  buildTinyTextModel({ dir: fp16Dir, seed: 5, name: 'test/fp16', cacheType: 'float16', idType: 'int32' });
});

after(() => rmSync(root, { recursive: true, force: true }));

const modelFile = (dir: string) => join(dir, 'onnx', 'model.onnx');

async function generate(model: DecoderModel, prompts: string[]): Promise<string[]> {
  const scheduler = new BatchScheduler(model, { maxBatchSize: 8 });
  const results = await Promise.all(
    prompts.map(
      (prompt, i) =>
        new Promise<GenerationResult>((resolve, reject) =>
          scheduler.submit(
            String(i),
            { prompt, maxNewTokens: 12 + 3 * i, ignoreEos: true },
            { onToken: () => {}, onDone: resolve, onError: reject },
          ),
        ),
    ),
  );
  await scheduler.stop();
  return results.map((r) => r.text);
}

describe('cache-slice outputs', () => {
  test('each added output is the last positions of its present.* (the Concat second input)', async () => {
    const patched = addCacheSliceOutputs(modelFile(plainDir), join(root, 'unused.onnx'));
    assert.ok(patched?.bytes, 'a tiny inline model is patched in memory');
    assert.equal(patched.slices.length, 2);
    const session = await ort.InferenceSession.create(patched.bytes);
    for (const s of patched.slices) assert.ok(session.outputNames.includes(s.key) && session.outputNames.includes(s.value));
    const meta = (session as unknown as { inputMetadata: { name: string; shape: (number | string)[] }[] }).inputMetadata;
    const [heads, dim] = [
      meta.find((m) => m.name === 'past_key_values.0.key')!.shape[1] as number,
      meta.find((m) => m.name === 'past_key_values.0.key')!.shape[3] as number,
    ];
    const past = 3;
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from([5n, 9n]), [2, 1]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(2 * (past + 1)).fill(1n), [2, past + 1]),
      position_ids: new ort.Tensor('int64', BigInt64Array.from([3n, 3n]), [2, 1]),
    };
    for (let l = 0; l < 2; l++) {
      for (const kind of ['key', 'value']) {
        const data = Float32Array.from({ length: 2 * heads * past * dim }, (_, i) => Math.sin(i + l));
        feeds[`past_key_values.${l}.${kind}`] = new ort.Tensor('float32', data, [2, heads, past, dim]);
      }
    }
    const out = await session.run(feeds);
    for (let l = 0; l < 2; l++) {
      for (const kind of ['key', 'value'] as const) {
        const present = out[`present.${l}.${kind}`].data as Float32Array;
        const slice: ort.Tensor = out[patched.slices[l][kind]];
        assert.deepEqual(slice.dims, [2, heads, 1, dim]);
        for (let block = 0; block < 2 * heads; block++) {
          const last = present.subarray((block * (past + 1) + past) * dim, (block * (past + 1) + past + 1) * dim);
          assert.deepEqual(Array.from((slice.data as Float32Array).subarray(block * dim, (block + 1) * dim)), Array.from(last));
        }
      }
    }
    await session.release();
  });

  test('a decoder without the Concat pattern is left alone', () => {
    const dir = join(root, 'no-concat');
    const g = new OnnxGraph('no-concat');
    g.input('past_key_values.0.key', 'float32', ['b', 2, 'p', 4]);
    g.node('Identity', ['past_key_values.0.key'], ['present.0.key']);
    g.output('present.0.key', 'float32', ['b', 2, 'p', 4]);
    writeOnnxModel(join(dir, 'model.onnx'), g, { opset: 17 });
    assert.equal(addCacheSliceOutputs(join(dir, 'model.onnx'), join(root, 'unused.onnx')), null);
  });

  for (const [name, dir] of [
    ['inline weights', plainDir],
    ['external data', externalDir],
    ['int32 ids and a float16 cache', fp16Dir],
  ] as const) {
    test(`${name}: the engine fetches slices, and batched greedy text equals the whole-cache path's`, async () => {
      const sliced = await DecoderModel.load({ id: 'x', dir, kind: 'text', isDemo: true, sizeBytes: 0 }, { threads: 1 });
      assert.ok(sliced.cacheSlices, 'the Concat pattern is found');
      const whole = await DecoderModel.load({ id: 'x', dir, kind: 'text', isDemo: true, sizeBytes: 0 }, { threads: 1 });
      (whole as unknown as { cacheSlices: null }).cacheSlices = null;
      const prompts = ['Fresh coffee for busy people', 'Hi', 'Our new running shoes are'];
      assert.deepEqual(await generate(sliced, prompts), await generate(whole, prompts));
      await sliced.release();
      await whole.release();
    });
  }

  test('a big model is streamed to a patched file that loads like the in-memory patch (external data included)', async () => {
    for (const dir of [plainDir, externalDir]) {
      const file = join(root, `copy-${dir === plainDir ? 'plain' : 'external'}.onnx`);
      const inMemory = addCacheSliceOutputs(modelFile(dir), join(root, 'unused.onnx'))!;
      const streamed = addCacheSliceOutputs(modelFile(dir), file, 0);
      assert.equal(streamed?.file, file);
      assert.deepEqual(readFileSync(file), inMemory.bytes);
      const session = await ort.InferenceSession.create(file, {
        extra: { session: { model_external_initializers_file_folder_path: join(dir, 'onnx') } },
      });
      assert.ok(session.outputNames.includes(streamed.slices[1].value));
      await session.release();
    }
  });
});
