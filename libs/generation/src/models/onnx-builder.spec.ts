import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { OnnxGraph, writeOnnxModel, toFloat16Array, fromFloat16Bits, attr } from './onnx-builder';

function buildGraph(): OnnxGraph {
  const g = new OnnxGraph('test');
  g.input('x', 'float32', ['batch_size', 2]);
  g.initializer('w', 'float32', [2, 3], new Float32Array([1, 2, 3, 4, 5, 6]));
  const y = g.op('MatMul', ['x', 'w']);
  const scaled = g.op('Mul', [y, g.constant('float32', [], [0.5])]);
  g.node('Softmax', [scaled], ['probs'], { axis: -1 });
  g.node('Shape', ['x'], ['shape']);
  const half = g.initializer('h', 'float16', [3], toFloat16Array([1, 2, 3]));
  g.node('Cast', [half], ['h32'], { to: attr.int(1) });
  g.output('probs', 'float32', ['batch_size', 3]);
  g.output('shape', 'int64', [2]);
  g.output('h32', 'float32', [3]);
  return g;
}

test('a built graph runs in ONNX Runtime with symbolic dims, attributes and float16 initializers', async () => {
  const session = await ort.InferenceSession.create(Buffer.from(buildGraph().toBytes()));
  const x = new ort.Tensor('float32', new Float32Array([1, 0, 0, 1]), [2, 2]);
  const out = await session.run({ x });
  const p = out.probs.data as Float32Array;
  const row0 = [0.5, 1, 1.5].map(Math.exp);
  const s = row0.reduce((a, b) => a + b);
  assert.ok(Math.abs(p[0] - row0[0] / s) < 1e-6);
  assert.deepEqual(Array.from(out.shape.data as BigInt64Array), [2n, 2n]);
  assert.deepEqual(Array.from(out.h32.data as Float32Array), [1, 2, 3]);
  assert.equal(session.inputMetadata[0].name, 'x');
});

test('external data is written beside the model and loads by path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-builder-'));
  const g = new OnnxGraph('ext');
  g.input('x', 'float32', [1, 512]);
  const w = new Float32Array(512 * 4).map((_, i) => (i % 7) / 7);
  g.initializer('w', 'float32', [512, 4], w);
  g.node('MatMul', ['x', 'w'], ['y']);
  g.output('y', 'float32', [1, 4]);
  writeOnnxModel(join(dir, 'onnx', 'model.onnx'), g, { externalData: true });
  const session = await ort.InferenceSession.create(join(dir, 'onnx', 'model.onnx'));
  const out = await session.run({ x: new ort.Tensor('float32', new Float32Array(512).fill(1), [1, 512]) });
  let expected = 0;
  for (let i = 0; i < 512; i++) expected += w[i * 4];
  assert.ok(Math.abs((out.y.data as Float32Array)[0] - expected) < 1e-3);
});

test('float16 conversion round-trips representable values', () => {
  for (const v of [0, 1, -2.5, 65504, 0.000061035156, 1 / 3]) {
    const back = fromFloat16Bits(toFloat16Array([v])[0]);
    assert.ok(Math.abs(back - v) <= Math.abs(v) * 1e-3, `${v} -> ${back}`);
  }
});
