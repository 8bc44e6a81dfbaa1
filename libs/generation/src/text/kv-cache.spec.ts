import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KvCache, type CacheArray } from './kv-cache';

// 2 tensors (one layer's key and value), 2 heads, head_dim 3: small enough to check every value.
const HEADS = 2;
const DIM = 3;
const make = (n: number) => new Float32Array(n);

/** A [batch, heads, length, dim] block whose real positions hold (row, head, position)-coded values. */
function block(realLengths: number[], length: number, tensor: number): Float32Array {
  const out = new Float32Array(realLengths.length * HEADS * length * DIM).fill(-1);
  realLengths.forEach((real, b) => {
    for (let h = 0; h < HEADS; h++) {
      for (let p = 0; p < real; p++) {
        for (let d = 0; d < DIM; d++) out[((b * HEADS + h) * length + length - real + p) * DIM + d] = code(tensor, b, h, p, d);
      }
    }
  });
  return out;
}

const code = (tensor: number, row: number, head: number, position: number, d: number) =>
  tensor * 10000 + row * 1000 + head * 100 + position * 10 + d;

/** Real positions of row `b` in a right-aligned cache view. */
function realPositions(t: CacheArray, batch: number, length: number, b: number, real: number): number[][] {
  const rows: number[][] = [];
  for (let h = 0; h < HEADS; h++) {
    const start = ((b * HEADS + h) * length + length - real) * DIM;
    rows.push(Array.from(t.subarray(start, start + real * DIM)));
  }
  assert.equal(t.length, batch * HEADS * length * DIM);
  return rows;
}

describe('KvCache', () => {
  test('repack right-aligns rows from several sources, zeroes the padding, and drops rows', () => {
    const cache = new KvCache(2, HEADS, DIM, make, 100);
    const first = { tensors: [block([4, 2], 4, 0), block([4, 2], 4, 1)], length: 4 };
    cache.repack([
      { ...first, row: 0, realLength: 4 },
      { ...first, row: 1, realLength: 2 },
    ]);
    assert.equal(cache.batch, 2);
    assert.equal(cache.length, 4);
    const joining = { tensors: [block([6], 6, 0), block([6], 6, 1)], length: 6 };
    const past = cache.past();
    cache.repack([
      { tensors: past, length: 4, row: 1, realLength: 2 },
      { ...joining, row: 0, realLength: 6 },
    ]);
    assert.equal(cache.batch, 2);
    assert.equal(cache.length, 6);
    const [key, value] = cache.past();
    // Row 0 is the old row 1 (2 real positions, now 4 of padding), row 1 the joining row.
    assert.deepEqual(realPositions(key, 2, 6, 0, 2), realPositions(first.tensors[0], 2, 4, 1, 2));
    assert.deepEqual(realPositions(value, 2, 6, 1, 6), realPositions(joining.tensors[1], 1, 6, 0, 6));
    assert.ok(
      key.subarray(0, 4 * DIM).every((x) => x === 0),
      'left padding is zeroed, not stale',
    );
  });

  test('present targets are the back buffers: commit makes them the past without copying', () => {
    const cache = new KvCache(2, HEADS, DIM, make, 100);
    const src = { tensors: [block([3], 3, 0), block([3], 3, 1)], length: 3 };
    cache.repack([{ ...src, row: 0, realLength: 3 }]);
    const targets = cache.presentTargets(1);
    assert.equal(targets[0].length, HEADS * 4 * DIM);
    assert.notEqual(targets[0].buffer, cache.past()[0].buffer, 'ORT must not write into the past it reads');
    targets[0].fill(7);
    const bytes = cache.bytes;
    cache.commit(1);
    assert.equal(cache.length, 4);
    assert.equal(cache.past()[0].buffer, targets[0].buffer);
    assert.ok(cache.past()[0].every((x) => x === 7));
    // Headroom: the next steps reuse the buffers instead of allocating.
    cache.presentTargets(1);
    cache.commit(1);
    cache.presentTargets(1);
    assert.equal(cache.bytes, bytes);
  });

  test('append adds new positions to every row in place, through growth, equal to a fresh layout', () => {
    // maxLength 3 + 1 keeps headroom small, so the appends below cross a buffer growth.
    const cache = new KvCache(2, HEADS, DIM, make, 4);
    const src = { tensors: [block([3, 1], 3, 0), block([3, 1], 3, 1)], length: 3 };
    cache.repack([
      { ...src, row: 0, realLength: 3 },
      { ...src, row: 1, realLength: 1 },
    ]);
    cache.dropSpare();
    const expected = [Array.from(cache.past()[0]), Array.from(cache.past()[1])].map((flat) => flat);
    let length = 3;
    for (let step = 0; step < 4; step++) {
      // Slices [batch 2, heads, 1, dim] with values that name the step.
      const slices = [0, 1].map((t) => Float32Array.from({ length: 2 * HEADS * DIM }, (_, i) => 50000 + t * 1000 + step * 100 + i));
      cache.append(slices, 1);
      // Reference: rebuild [batch, heads, length + 1, dim] by hand.
      for (let t = 0; t < 2; t++) {
        const next: number[] = [];
        for (let c = 0; c < 2 * HEADS; c++) {
          next.push(
            ...expected[t].slice(c * length * DIM, (c + 1) * length * DIM),
            ...Array.from(slices[t].subarray(c * DIM, (c + 1) * DIM)),
          );
        }
        expected[t] = next;
      }
      length += 1;
      assert.equal(cache.length, length);
      assert.deepEqual(Array.from(cache.past()[0]), expected[0]);
      assert.deepEqual(Array.from(cache.past()[1]), expected[1]);
    }
  });

  test('clear gives the buffers back', () => {
    const cache = new KvCache(2, HEADS, DIM, make, 100);
    cache.repack([{ tensors: [block([3], 3, 0), block([3], 3, 1)], length: 3, row: 0, realLength: 3 }]);
    assert.ok(cache.bytes > 0);
    cache.clear();
    assert.equal(cache.bytes, 0);
    assert.equal(cache.batch, 0);
  });
});
