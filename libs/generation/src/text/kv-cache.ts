/**
 * The batch's KV cache: one typed array per cache tensor ([batch, heads, length, head_dim], in
 * signature order), each row right-aligned (left padding). The scheduler feeds `present.*` back as
 * `past_key_values.*` untouched while the batch's members stay the same, and repacks only when a
 * request joins or leaves: each row's real positions are copied to their new place, so a row sees
 * exactly the same keys and values whoever it shares the batch with.
 */
export type CacheArray = Float32Array | Uint16Array;

export interface KvBlock {
  /** 2 × layers arrays: key0, value0, key1, value1, … */
  tensors: CacheArray[];
  batch: number;
  length: number;
}

export interface KvRowRef {
  block: KvBlock;
  row: number;
  /** Real (unpadded) positions of this row; the rest of its length is left padding. */
  realLength: number;
}

export function emptyKvBlock(count: number, make: (n: number) => CacheArray): KvBlock {
  return { tensors: Array.from({ length: count }, () => make(0)), batch: 0, length: 0 };
}

export function packKvRows(rows: KvRowRef[], heads: number, headDim: number, make: (n: number) => CacheArray): KvBlock {
  const batch = rows.length;
  const length = rows.reduce((m, r) => Math.max(m, r.realLength), 0);
  const count = rows[0]?.block.tensors.length ?? 0;
  const tensors: CacheArray[] = [];
  for (let j = 0; j < count; j++) {
    const out = make(batch * heads * length * headDim);
    rows.forEach((ref, b) => {
      const src = ref.block.tensors[j];
      const srcPad = ref.block.length - ref.realLength;
      const n = ref.realLength * headDim;
      for (let h = 0; h < heads; h++) {
        const from = ((ref.row * heads + h) * ref.block.length + srcPad) * headDim;
        const to = ((b * heads + h) * length + (length - ref.realLength)) * headDim;
        out.set(src.subarray(from, from + n), to);
      }
    });
    tensors.push(out);
  }
  return { tensors, batch, length };
}
