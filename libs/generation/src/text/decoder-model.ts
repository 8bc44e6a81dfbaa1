/**
 * A loaded decoder: ONNX Runtime session, tokenizer, signature and the per-token facts the
 * sampler needs. `forward` wraps the scheduler's reused arrays as the model's feeds (views, no
 * copies, where the signature's dtypes and layout allow) and returns float32 logits plus the new
 * cache in the scheduler's layout ([batch, heads, length, head_dim] per tensor, rows left-padded).
 *
 * Everything a signature changes is handled here, once: each int input gets its own dtype; fp16
 * logits become float32 (the only conversion; caches stay in their own dtype end to end); a
 * stacked `past_N` cache is joined/split around the run; a GroupQueryAttention graph gets its rows
 * right-aligned on the way in and left-aligned on the way out (see model-signature.ts).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { TextTokenizer } from './text-tokenizer';
import { checkGraphIo, readDecoderSignature, type DecoderSignature, type IntInput } from './model-signature';
import { GenerationError, GenerationErrorCode } from './generation-error';
import { readModelJson, type ModelConfig, type StoredModel } from '../models/model-store';
import type { CacheArray } from './kv-cache';
import { createSessionOptions, type ExecutionProviderChoice } from '../runtime/execution-provider';
import { addCacheSliceOutputs, readGraphFacts, type CacheSliceNames } from './cache-slice-outputs';

export interface DecoderModelOptions {
  executionProvider?: ExecutionProviderChoice;
  /** Intra-op threads for ONNX Runtime (default: its own choice). */
  threads?: number;
  log?: (message: string) => void;
}

/** Ids, mask and positions in input_ids' dtype (other int inputs are converted in `forward`). */
export type IdArray = BigInt64Array | Int32Array;

export interface ForwardInput {
  ids: IdArray;
  mask: IdArray;
  positions: IdArray;
  batch: number;
  /** New positions in this pass (the prompt at prefill, 1 when decoding). */
  length: number;
  pastLength: number;
  past: CacheArray[];
  /** Buffers for `present.*` ([batch, heads, pastLength + length, head_dim]); ORT allocates when absent. */
  present?: CacheArray[];
}

export interface ForwardOutput {
  logits: Float32Array;
  vocab: number;
  /**
   * In signature order: the whole `present.*` ([batch, heads, pastLength + length, head_dim];
   * `input.present` when given), or, when the model exposes cache slices and no `present` buffers
   * were given, only the new positions ([batch, heads, length, head_dim]) with `sliced` true.
   */
  present: CacheArray[];
  sliced: boolean;
}

export class DecoderModel {
  readonly eosIds: Set<number>;
  readonly padId: number;
  /** Visible length of each token decoded alone, trimmed: a lower bound of what it adds to text. */
  readonly pieceLengths: Uint16Array;
  readonly makeCache: (n: number) => CacheArray;
  /** Makes an id/mask/position array in the signature's id dtype. */
  readonly makeIds: (n: number) => IdArray;

  private constructor(
    readonly id: string,
    readonly isDemo: boolean,
    readonly session: ort.InferenceSession,
    readonly tokenizer: TextTokenizer,
    readonly signature: DecoderSignature,
    readonly executionProvider: string,
    /** Graph outputs holding each layer's new key/value positions (see cache-slice-outputs.ts), or null. */
    readonly cacheSlices: CacheSliceNames[] | null,
    config: ModelConfig,
    generationConfig: { eos_token_id?: number | number[]; pad_token_id?: number } | null,
  ) {
    const eos = [config.eos_token_id, generationConfig?.eos_token_id].flat().filter((x): x is number => typeof x === 'number');
    this.eosIds = new Set(eos);
    this.padId = generationConfig?.pad_token_id ?? (config.pad_token_id as number | undefined) ?? eos[0] ?? 0;
    const vocab = signature.vocabSize || tokenizer.vocabSize;
    this.pieceLengths = new Uint16Array(vocab);
    for (let id = 0; id < vocab; id++)
      this.pieceLengths[id] = tokenizer
        .decode([id])
        .replace(/\uFFFD/g, '')
        .trim().length;
    this.makeIds = signature.idType === 'int64' ? (n) => new BigInt64Array(n) : (n) => new Int32Array(n);
    this.makeCache = signature.cacheType === 'float16' ? (n) => new Uint16Array(n) : (n) => new Float32Array(n);
  }

  static async load(model: StoredModel, options: DecoderModelOptions = {}): Promise<DecoderModel> {
    const file = join(model.dir, 'onnx', 'model.onnx');
    if (!existsSync(file)) throw new GenerationError(GenerationErrorCode.MODEL_INVALID, `${model.id} has no onnx/model.onnx`, 'model');
    const config = readModelJson<ModelConfig>(model.dir, 'config.json')!;
    const generationConfig = readModelJson<{ eos_token_id?: number | number[]; pad_token_id?: number }>(
      model.dir,
      'generation_config.json',
      true,
    );
    const tokenizer = new TextTokenizer(model.dir);
    // bfloat16 inputs/outputs make ONNX Runtime's node binding refuse the session: say which, first.
    const facts = readGraphFacts(file);
    checkGraphIo(facts);
    const { options: shared, provider } = createSessionOptions(options.executionProvider ?? 'auto', options.threads, options.log);
    // Input shapes change every decode step (batch, cache length): ORT's memory patterns are
    // planned and cached per shape, so they would never be reused and the cache would only grow.
    const sessionOptions: ort.InferenceSession.SessionOptions = { ...shared, enableMemPattern: false };
    let session: ort.InferenceSession;
    let cacheSlices: CacheSliceNames[] | null;
    try {
      ({ session, cacheSlices } = await createSession(file, sessionOptions, options.log));
    } catch (error) {
      if (provider !== 'cpu') {
        options.log?.(`execution provider ${provider} failed (${(error as Error).message.split('\n')[0]}); using cpu`);
        return DecoderModel.load(model, { ...options, executionProvider: 'cpu' });
      }
      throw new GenerationError(
        GenerationErrorCode.MODEL_INVALID,
        `${model.id}: ONNX Runtime cannot load onnx/model.onnx: ${(error as Error).message.split('\n')[0]}`,
        'model',
      );
    }
    options.log?.(
      `text model ${model.id} loaded on ${provider}${cacheSlices ? '' : ' (fetching the whole present.* cache: no Concat cache pattern)'}`,
    );
    let signature: DecoderSignature;
    try {
      signature = readDecoderSignature(session, config, facts);
    } catch (error) {
      await session.release();
      throw error;
    }
    const configPath = join(model.dir, 'config.json');
    const isDemo = JSON.parse(readFileSync(configPath, 'utf8'))?.brandwright?.demo === true;
    // Slices are appended to left-padded rows, one per layer in signature order: anything else fetches present.*.
    if (
      cacheSlices &&
      (cacheSlices.length !== signature.layers || signature.cache.layout !== 'per-layer' || signature.cacheAlignment !== 'left')
    )
      cacheSlices = null;
    return new DecoderModel(model.id, isDemo, session, tokenizer, signature, provider, cacheSlices, config, generationConfig);
  }

  /**
   * One forward pass. `ids`, `positions` are [batch, length], `mask` is [batch, pastLength + length]
   * (in input_ids' dtype: the scheduler fills reused arrays; rows left-padded). `past` are views of
   * the cache ([batch, heads, pastLength, head_dim]); when `present` buffers are given, the new
   * cache is written into them (straight from ORT when the layout allows) and they are returned.
   */
  async forward(input: ForwardInput): Promise<ForwardOutput> {
    const s = this.signature;
    const { batch, length, pastLength } = input;
    const total = pastLength + length;
    const right = s.cacheAlignment === 'right';
    // Real positions of each row (right alignment only): the mask's ones.
    const realLengths = right ? rowSums(input.mask, batch, total) : null;
    let ids: IdArray = input.ids;
    let mask: IdArray = input.mask;
    let positions: IdArray = input.positions;
    let past = input.past;
    if (realLengths) {
      ({ ids, positions } = this.rightAlignNew(input, realLengths));
      mask = rightAlignedMask(input.mask, batch, total, realLengths);
      if (pastLength > 0)
        past = input.past.map((t) =>
          moveRows(t, this.makeCache(t.length), batch, s.kvHeads, pastLength, s.headDim, (b) => realLengths[b] - length, 'start'),
        );
    }

    const feeds: Record<string, ort.Tensor> = {
      [s.inputIds.name]: intTensor(s.inputIds, ids, [batch, length]),
      [s.attentionMask.name]: intTensor(s.attentionMask, mask, [batch, total]),
    };
    if (s.positionIds) feeds[s.positionIds.name] = intTensor(s.positionIds, positions, [batch, length]);
    if (s.cachePosition) {
      const slots = Array.from({ length }, (_, i) => pastLength + i);
      feeds[s.cachePosition.name] = intTensor(s.cachePosition, Int32Array.from(slots), [length]);
    }
    if (s.logitsToKeep)
      feeds[s.logitsToKeep.name] = intTensor(s.logitsToKeep, new Int32Array(1), s.logitsToKeep.shape.length === 0 ? [] : [1]);

    const n = batch * s.kvHeads * pastLength * s.headDim;
    const pastDims = [batch, s.kvHeads, pastLength, s.headDim];
    const presentDims = [batch, s.kvHeads, total, s.headDim];
    const fetches: Record<string, ort.Tensor | null> = { logits: null };
    // ORT writes present.* straight into the caller's buffers only when nothing has to move afterwards.
    const direct = input.present && !right && s.cache.layout === 'per-layer';
    const sliced = !input.present && this.cacheSlices !== null;
    if (s.cache.layout === 'per-layer') {
      s.cache.past.forEach((names, l) => {
        feeds[names.key] = new ort.Tensor(s.cacheType, past[2 * l] ?? this.makeCache(0), pastDims);
        feeds[names.value] = new ort.Tensor(s.cacheType, past[2 * l + 1] ?? this.makeCache(0), pastDims);
      });
      if (sliced) for (const names of this.cacheSlices!) fetches[names.key] = fetches[names.value] = null;
      else
        s.cache.present.forEach((names, l) => {
          fetches[names.key] = direct ? new ort.Tensor(s.cacheType, input.present![2 * l], presentDims) : null;
          fetches[names.value] = direct ? new ort.Tensor(s.cacheType, input.present![2 * l + 1], presentDims) : null;
        });
    } else {
      // Stacked [2, batch, heads, seq, head_dim]: key then value, one tensor per layer.
      s.cache.past.forEach((name, l) => {
        const joined = this.makeCache(2 * n);
        if (n > 0) {
          joined.set(past[2 * l].subarray(0, n), 0);
          joined.set(past[2 * l + 1].subarray(0, n), n);
        }
        feeds[name] = new ort.Tensor(s.cacheType, joined, [2, ...pastDims]);
      });
      for (const name of s.cache.present) fetches[name] = null;
    }

    const out = await this.session.run(feeds, fetches);
    const logitsTensor = out.logits;
    const vocab = logitsTensor.dims[logitsTensor.dims.length - 1];
    const logits = toFloat32(logitsTensor);
    if (realLengths && length > 1) {
      // The scheduler reads each row's last position; right-aligned, a short row's last real one is earlier.
      for (let b = 0; b < batch; b++) {
        const last = realLengths[b] - pastLength - 1;
        if (last !== length - 1)
          logits.copyWithin((b * length + length - 1) * vocab, (b * length + last) * vocab, (b * length + last + 1) * vocab);
      }
    }

    let present: CacheArray[];
    if (sliced) {
      present = this.cacheSlices!.flatMap((names) => [out[names.key].data as CacheArray, out[names.value].data as CacheArray]);
    } else if (direct) {
      // With pre-allocated outputs the binding still hands back copies; they are dropped here, unread.
      present = input.present!;
    } else {
      const whole = total * batch * s.kvHeads * s.headDim;
      present =
        s.cache.layout === 'per-layer'
          ? s.cache.present.flatMap((names) => [out[names.key].data as CacheArray, out[names.value].data as CacheArray])
          : s.cache.present.flatMap((name) => {
              const data = out[name].data as CacheArray;
              return [data.subarray(0, whole), data.subarray(whole, 2 * whole)];
            });
      if (realLengths) {
        present = present.map((t, j) =>
          moveRows(t, input.present?.[j] ?? t, batch, s.kvHeads, total, s.headDim, (b) => realLengths[b], 'end'),
        );
      } else if (input.present) {
        present.forEach((t, j) => input.present![j].set(t.subarray(0, whole)));
        present = input.present;
      }
    }
    return { logits, vocab, present, sliced };
  }

  /** New ids/positions with each row's real tokens moved to the front (right alignment). */
  private rightAlignNew(input: ForwardInput, realLengths: Int32Array): { ids: IdArray; positions: IdArray } {
    const { batch, length, pastLength } = input;
    if (length === 1) return { ids: input.ids, positions: input.positions };
    const ids = this.makeIds(batch * length);
    const positions = this.makeIds(batch * length);
    for (let b = 0; b < batch; b++) {
      const real = realLengths[b] - pastLength;
      if (real < 0 || (pastLength > 0 && real !== length))
        throw new GenerationError(GenerationErrorCode.INTERNAL, 'right-aligned cache: new tokens after the first pass must all be real');
      const pad = length - real;
      const row = b * length;
      ids.set(input.ids.subarray(row + pad, row + length) as never, row);
      positions.set(input.positions.subarray(row + pad, row + length) as never, row);
      if (pad > 0) (ids as Int32Array).fill(input.ids[row] as never, row + real, row + length);
    }
    return { ids, positions };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/**
 * Creates the session from the model with cache-slice outputs added when the export has the
 * Concat cache pattern, else from the file as it is. A patched big model goes through a temporary
 * file (deleted once loaded); external data is still read from the original file's folder.
 */
async function createSession(
  file: string,
  sessionOptions: ort.InferenceSession.SessionOptions,
  log?: (message: string) => void,
): Promise<{ session: ort.InferenceSession; cacheSlices: CacheSliceNames[] | null }> {
  const tempFile = join(tmpdir(), `brandwright-decoder-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.onnx`);
  const patched = addCacheSliceOutputs(file, tempFile);
  if (patched) {
    const options: ort.InferenceSession.SessionOptions = {
      ...sessionOptions,
      // Relative external-data paths resolve against the original model's folder, not the copy's.
      extra: { session: { model_external_initializers_file_folder_path: dirname(file) } },
    };
    try {
      const session = patched.bytes
        ? await ort.InferenceSession.create(patched.bytes, options)
        : await ort.InferenceSession.create(patched.file!, options);
      return { session, cacheSlices: patched.slices };
    } catch (error) {
      log?.(`cache-slice outputs rejected (${(error as Error).message.split('\n')[0]}); fetching the whole cache`);
    } finally {
      rmSync(tempFile, { force: true });
    }
  } else {
    rmSync(tempFile, { force: true });
  }
  return { session: await ort.InferenceSession.create(file, sessionOptions), cacheSlices: null };
}

/** An int feed in the dtype the model declares for that input (converted here when it differs from the array's). */
function intTensor(spec: IntInput, values: IdArray, dims: number[]): ort.Tensor {
  if (spec.type === 'int64') {
    const data = values instanceof BigInt64Array ? values : BigInt64Array.from(values, (v) => BigInt(v));
    return new ort.Tensor('int64', data, dims);
  }
  const data = values instanceof Int32Array ? values : Int32Array.from(values, (v) => Number(v));
  return new ort.Tensor('int32', data, dims);
}

let halfToFloat: Float32Array | null = null;

/** Logits as float32: float16 bit patterns are decoded here, the one place logits change dtype. */
export function toFloat32(tensor: ort.Tensor): Float32Array {
  if (tensor.type === 'float32') return tensor.data as Float32Array;
  if (tensor.type !== 'float16')
    throw new GenerationError(
      GenerationErrorCode.MODEL_UNSUPPORTED,
      `logits arrived as ${tensor.type}; expected float32 or float16`,
      'model',
    );
  if (!halfToFloat) {
    halfToFloat = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halfToFloat[h] = halfBitsToNumber(h);
  }
  const bits = tensor.data as Uint16Array;
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = halfToFloat[bits[i]];
  return out;
}

function halfBitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Ones per row of a [batch, total] mask. */
function rowSums(mask: IdArray, batch: number, total: number): Int32Array {
  const sums = new Int32Array(batch);
  for (let b = 0; b < batch; b++) for (let i = 0; i < total; i++) sums[b] += Number(mask[b * total + i]);
  return sums;
}

/** A [batch, total] mask with each row's ones first. */
function rightAlignedMask(mask: IdArray, batch: number, total: number, realLengths: Int32Array): IdArray {
  const out = (mask instanceof BigInt64Array ? new BigInt64Array(mask.length) : new Int32Array(mask.length)) as IdArray;
  const one = (mask instanceof BigInt64Array ? 1n : 1) as never;
  for (let b = 0; b < batch; b++) out.fill(one, b * total, b * total + realLengths[b]);
  return out;
}

/**
 * Moves each (row, head) block's `count(row)` real positions of a [batch, heads, length, head_dim]
 * tensor to the start or the end of the row, zeroing the rest. `to` may be `from` (in place).
 */
function moveRows(
  from: CacheArray,
  to: CacheArray,
  batch: number,
  heads: number,
  length: number,
  headDim: number,
  count: (row: number) => number,
  where: 'start' | 'end',
): CacheArray {
  const stride = length * headDim;
  for (let b = 0; b < batch; b++) {
    const real = count(b) * headDim;
    const pad = stride - real;
    for (let h = 0; h < heads; h++) {
      const base = (b * heads + h) * stride;
      const src = where === 'start' ? base + pad : base;
      const dst = where === 'start' ? base : base + pad;
      if (to === from) to.copyWithin(dst, src, src + real);
      else to.set(from.subarray(src, src + real), dst);
      if (where === 'start') to.fill(0, base + real, base + stride);
      else to.fill(0, base, base + pad);
    }
  }
  return to.subarray(0, batch * heads * stride);
}
