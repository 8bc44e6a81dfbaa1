import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fromFloat16Bits } from '../../models/onnx-builder';
import { FloatFeed, ScalarFeed } from './tensors';

describe('per-step UNet feeds (one tensor per picture, rewritten in place)', () => {
  test('a float32 feed is the tensor: writes to values are what the next run reads', () => {
    const feed = new FloatFeed('float32', 6, [2, 3]);
    assert.equal(feed.tensor.type, 'float32');
    assert.deepEqual(feed.tensor.dims, [2, 3]);
    feed.values.set([1, 2, 3, 4, 5, 6]);
    feed.sync();
    assert.deepEqual(Array.from(feed.tensor.data as Float32Array), [1, 2, 3, 4, 5, 6]);
  });

  test('a float16 feed converts into its one reused buffer on sync', () => {
    const feed = new FloatFeed('float16', 3, [3]);
    const buffer = feed.tensor.data;
    feed.values.set([0.5, -2, 1000]);
    feed.sync();
    assert.equal(feed.tensor.data, buffer);
    assert.deepEqual(Array.from(feed.tensor.data as Uint16Array, fromFloat16Bits), [0.5, -2, 1000]);
    feed.values.set([1, 1, 1]);
    assert.deepEqual(Array.from(feed.tensor.data as Uint16Array, fromFloat16Bits), [0.5, -2, 1000], 'unchanged until sync');
  });

  test('a scalar feed writes each timestep in the session dtype', () => {
    const int64 = new ScalarFeed('int64');
    int64.set(999);
    assert.deepEqual(Array.from(int64.tensor.data as BigInt64Array), [999n]);
    int64.set(980.6); // diffusers' linspace timesteps are fractional; int64 exports take them rounded
    assert.deepEqual(Array.from(int64.tensor.data as BigInt64Array), [981n]);
    const float32 = new ScalarFeed('float32');
    float32.set(980.5);
    assert.deepEqual(Array.from(float32.tensor.data as Float32Array), [980.5]);
    const half = new ScalarFeed('float16');
    half.set(500);
    assert.deepEqual(Array.from(half.tensor.data as Uint16Array, fromFloat16Bits), [500]);
    assert.deepEqual(int64.tensor.dims, [1]);
    assert.throws(() => new ScalarFeed('string'), /unsupported tensor type string/);
  });
});
