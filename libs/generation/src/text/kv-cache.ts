/**
 * The running batch's KV cache, in buffers that are reused step after step.
 *
 * Each cache tensor ([batch, heads, length, head_dim], signature order, rows right-aligned with
 * left padding) has two buffers: `front` holds the past fed to the next forward pass (as a
 * typed-array view, no copy) and `back` receives that pass's `present.*` (ONNX Runtime writes into
 * it as a pre-allocated output). After the pass the two swap. Nothing the size of the cache is
 * allocated per step by the engine or by ORT.
 *
 * A buffer grows (with headroom of GROW_POSITIONS positions, so growth happens every so many
 * steps, not every step) only when the batch or its length outgrows it. When a request joins or
 * leaves, each row's real positions are copied to their new place in the back buffer, so a row
 * sees exactly the same keys and values whoever it shares the batch with.
 */
export type CacheArray = Float32Array | Uint16Array;

/** Positions of headroom added when a buffer has to grow. */
const GROW_POSITIONS = 32;

/** A row to place in the new batch: its source tensors and where its real positions are. */
export interface KvRowSource {
  /** The source's cache tensors (views [batch, heads, length, head_dim]). */
  tensors: CacheArray[];
  /** The source's padded length. */
  length: number;
  row: number;
  /** Real (unpadded) positions of this row; the rest of its length is left padding. */
  realLength: number;
}

export class KvCache {
  batch = 0;
  length = 0;
  private front: CacheArray[];
  private back: CacheArray[];

  constructor(
    private readonly count: number,
    private readonly heads: number,
    private readonly headDim: number,
    private readonly make: (n: number) => CacheArray,
    /** Longest sequence the model takes: headroom never goes past it. */
    private readonly maxLength: number,
  ) {
    this.front = Array.from({ length: count }, () => make(0));
    this.back = Array.from({ length: count }, () => make(0));
  }

  /** Elements one tensor of [batch, heads, length, head_dim] takes. */
  private size(batch: number, length: number): number {
    return batch * this.heads * length * this.headDim;
  }

  /** Bytes held by the buffers (both sides): what the cache really costs in memory. */
  get bytes(): number {
    let total = 0;
    for (let j = 0; j < this.count; j++) total += this.front[j].byteLength + this.back[j].byteLength;
    return total;
  }

  /** Views of the past, [batch, heads, length, head_dim], for the next forward pass. */
  past(): CacheArray[] {
    const n = this.size(this.batch, this.length);
    return this.front.map((t) => t.subarray(0, n));
  }

  /** Views of the back buffers shaped for a pass that adds `added` positions: ORT writes `present.*` here. */
  presentTargets(added: number): CacheArray[] {
    const n = this.size(this.batch, this.length + added);
    this.ensureBack(n, this.batch);
    return this.back.map((t) => t.subarray(0, n));
  }

  /** After the pass wrote `present.*` into the back buffers: they become the past. */
  commit(added: number): void {
    this.swap();
    this.length += added;
  }

  /**
   * Appends `added` positions to every row from the new-position slices a pass returned
   * ([batch, heads, added, head_dim], signature order), in place: each (row, head) block moves up
   * to its new stride, last block first so nothing is overwritten before it moved (one memmove of
   * the cache, no second buffer). Grows the buffer, with headroom, when it is full.
   */
  append(slices: CacheArray[], added: number): void {
    const { batch, heads, headDim } = this;
    const oldStride = this.length * headDim;
    const newStride = (this.length + added) * headDim;
    const addedSize = added * headDim;
    const blocks = batch * heads;
    const needed = this.size(batch, this.length + added);
    for (let j = 0; j < this.count; j++) {
      let buffer = this.front[j];
      const slice = slices[j];
      if (buffer.length < needed) {
        const grown = this.make(this.capacityFor(needed, batch));
        for (let c = 0; c < blocks; c++) grown.set(buffer.subarray(c * oldStride, (c + 1) * oldStride), c * newStride);
        this.front[j] = buffer = grown;
      } else if (oldStride > 0) {
        for (let c = blocks - 1; c > 0; c--) buffer.copyWithin(c * newStride, c * oldStride, (c + 1) * oldStride);
      }
      for (let c = 0; c < blocks; c++) buffer.set(slice.subarray(c * addedSize, (c + 1) * addedSize), c * newStride + oldStride);
    }
    this.length += added;
  }

  /**
   * Hands back the spare buffers: with `append` the cache needs them only while repacking, so
   * between join/leave events the engine holds one copy of the cache, not two.
   */
  dropSpare(): void {
    this.back = this.back.map(() => this.make(0));
  }

  /**
   * Rebuilds the batch from `rows` (rows of this cache and/or of a freshly prefilled block), each
   * right-aligned to the longest real length. Written into the back buffers, then swapped in.
   */
  repack(rows: KvRowSource[]): void {
    const batch = rows.length;
    const length = rows.reduce((m, r) => Math.max(m, r.realLength), 0);
    const n = this.size(batch, length);
    this.ensureBack(n, batch);
    const { heads, headDim } = this;
    for (let j = 0; j < this.count; j++) {
      const out = this.back[j];
      rows.forEach((ref, b) => {
        const src = ref.tensors[j];
        const srcPad = ref.length - ref.realLength;
        const count = ref.realLength * headDim;
        const pad = (length - ref.realLength) * headDim;
        for (let h = 0; h < heads; h++) {
          const from = ((ref.row * heads + h) * ref.length + srcPad) * headDim;
          const to = (b * heads + h) * length * headDim;
          // Padding positions are masked out, but stale values must not be NaN/Inf garbage either.
          if (pad > 0) out.fill(0, to, to + pad);
          out.set(src.subarray(from, from + count), to + pad);
        }
      });
    }
    this.swap();
    this.batch = batch;
    this.length = length;
  }

  /** Gives the buffers back (when the batch empties), so an idle engine holds no cache. */
  clear(): void {
    this.front = this.front.map(() => this.make(0));
    this.back = this.back.map(() => this.make(0));
    this.batch = 0;
    this.length = 0;
  }

  private ensureBack(elements: number, batch: number): void {
    if (this.back[0].length >= elements) return;
    const capacity = this.capacityFor(elements, batch);
    this.back = this.back.map(() => this.make(capacity));
  }

  /** Elements to allocate for `elements`, with GROW_POSITIONS positions of headroom (within the context). */
  private capacityFor(elements: number, batch: number): number {
    const positions = Math.min(this.maxLength, elements / (batch * this.heads * this.headDim) + GROW_POSITIONS);
    return Math.max(elements, this.size(batch, positions));
  }

  private swap(): void {
    const front = this.front;
    this.front = this.back;
    this.back = front;
  }
}
