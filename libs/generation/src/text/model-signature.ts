/**
 * What a decoder's ONNX signature says about how to feed it, read input by input and output by
 * output from the session's metadata (config.json only fills in what the shapes leave open), so
 * real exports run without per-model code:
 *
 * - every int input has its own dtype (int32 ids with an int64 mask is common);
 * - the cache is Optimum's `past_key_values.N.key/value` → `present.N.key/value` (N may start
 *   anywhere, as hybrid models number it) or the legacy stacked `past_N` → `present_N`
 *   ([2, batch, heads, seq, head_dim]);
 * - caches and logits are float32 or float16;
 * - a graph with com.microsoft GroupQueryAttention keeps each row's cache contiguous from slot 0
 *   (it reads row lengths from the mask's sum), so the engine right-aligns rows for it.
 *
 * Anything else is refused at load with MODEL_UNSUPPORTED, naming the input or output and what was
 * expected: better than a wrong token or a hang at the first request.
 */
import type { InferenceSession } from 'onnxruntime-node';
import { GenerationError, GenerationErrorCode } from './generation-error';
import type { ModelConfig } from '../models/model-store';
import type { GraphFacts } from './cache-slice-outputs';

export type IdType = 'int64' | 'int32';
export type FloatType = 'float32' | 'float16';

/** An int input the engine fills: its name and the dtype the model declares for it. */
export interface IntInput {
  name: string;
  type: IdType;
  /** Declared shape (numbers fixed, strings symbolic). */
  shape: readonly (number | string)[];
}

export type CacheNames =
  | { layout: 'per-layer'; past: { key: string; value: string }[]; present: { key: string; value: string }[] }
  | { layout: 'stacked'; past: string[]; present: string[] };

export interface DecoderSignature {
  inputIds: IntInput;
  attentionMask: IntInput;
  /** Absent: the model derives positions itself (from the mask, or inside a fused attention op). */
  positionIds: IntInput | null;
  /** HF's cache slots of the new tokens (pastLength … pastLength + length - 1). */
  cachePosition: IntInput | null;
  /** num_logits_to_keep / logits_to_keep: fed 0, every position's logits. */
  logitsToKeep: IntInput | null;
  /** Dtype of input_ids (kept for callers that make id arrays). */
  idType: IdType;
  cacheType: FloatType;
  logitsType: FloatType;
  cache: CacheNames;
  /**
   * 'left' (Optimum graphs with a mask-driven attention bias): rows are left-padded. 'right'
   * (GroupQueryAttention): a row's positions sit at slots 0 … length-1 and the op reads the
   * length from the mask's sum, so padding must come after them.
   */
  cacheAlignment: 'left' | 'right';
  layers: number;
  /** Key/value heads (may be fewer than query heads with grouped-query attention). */
  kvHeads: number;
  headDim: number;
  vocabSize: number;
  contextLength: number;
  hasPositionIds: boolean;
}

interface ValueMeta {
  name: string;
  isTensor?: boolean;
  type?: string;
  shape?: readonly (number | string)[];
}

const INT_TYPES = ['int64', 'int32'];
const FLOAT_TYPES = ['float32', 'float16'];

const EXPECTED_INPUTS =
  'input_ids, attention_mask, position_ids, cache_position, num_logits_to_keep and a KV cache (past_key_values.N.key/value or stacked past_N)';

export function unsupported(what: string): GenerationError {
  return new GenerationError(GenerationErrorCode.MODEL_UNSUPPORTED, `unsupported decoder signature: ${what}`, 'model');
}

/**
 * Checks, before ONNX Runtime loads the model, what onnxruntime-node cannot exchange at all:
 * bfloat16 graph inputs/outputs (it fails the whole session with "Unsupported data type: 16").
 */
export function checkGraphIo(facts: GraphFacts | null): void {
  if (!facts) return;
  for (const [kind, values] of [
    ['input', facts.inputs],
    ['output', facts.outputs],
  ] as const) {
    for (const v of values) {
      if (v.elemType === 16)
        throw unsupported(
          `${kind} ${v.name} is bfloat16; onnxruntime-node cannot pass bfloat16 tensors in or out. Expected float32 or float16 (export with --dtype fp16, or keep bf16 only inside the graph)`,
        );
    }
  }
}

export function readDecoderSignature(session: InferenceSession, config: ModelConfig, facts: GraphFacts | null = null): DecoderSignature {
  const meta = (list: unknown, names: readonly string[]): ValueMeta[] =>
    ((list as ValueMeta[] | undefined) ?? names.map((name) => ({ name }))) as ValueMeta[];
  const inputs = meta((session as unknown as { inputMetadata?: unknown }).inputMetadata, session.inputNames);
  const outputs = meta((session as unknown as { outputMetadata?: unknown }).outputMetadata, session.outputNames);
  const typeOf = (m: ValueMeta) => m.type ?? 'unknown';
  const describe = (m: ValueMeta) => `${m.name} (${typeOf(m)}${m.shape ? ` [${m.shape.join(', ')}]` : ''})`;

  const intInput = (m: ValueMeta): IntInput => {
    if (!INT_TYPES.includes(typeOf(m))) throw unsupported(`input ${describe(m)}: expected int64 or int32`);
    return { name: m.name, type: typeOf(m) as IdType, shape: m.shape ?? [] };
  };

  let inputIds: IntInput | null = null;
  let attentionMask: IntInput | null = null;
  let positionIds: IntInput | null = null;
  let cachePosition: IntInput | null = null;
  let logitsToKeep: IntInput | null = null;
  const perLayer = new Map<number, { key?: ValueMeta; value?: ValueMeta }>();
  const stacked = new Map<number, ValueMeta>();
  for (const m of inputs) {
    const layer = /^past_key_values\.(\d+)\.(key|value)$/.exec(m.name);
    const stackedLayer = /^past_(\d+)$/.exec(m.name);
    if (m.name === 'input_ids') inputIds = intInput(m);
    else if (m.name === 'attention_mask') attentionMask = intInput(m);
    else if (m.name === 'position_ids') positionIds = intInput(m);
    else if (m.name === 'cache_position') cachePosition = intInput(m);
    else if (m.name === 'num_logits_to_keep' || m.name === 'logits_to_keep') logitsToKeep = intInput(m);
    else if (layer) {
      const entry = perLayer.get(Number(layer[1])) ?? {};
      entry[layer[2] as 'key' | 'value'] = m;
      perLayer.set(Number(layer[1]), entry);
    } else if (stackedLayer) stacked.set(Number(stackedLayer[1]), m);
    else throw unsupported(`input ${describe(m)} is not one the engine can feed; expected only ${EXPECTED_INPUTS}`);
  }
  if (!inputIds) throw unsupported(`no input_ids input; expected ${EXPECTED_INPUTS}`);
  if (!attentionMask) throw unsupported('no attention_mask input: the engine batches requests and needs the mask to pad them');
  if (perLayer.size > 0 && stacked.size > 0)
    throw unsupported('both past_key_values.N.* and stacked past_N inputs; expected one cache layout');
  if (perLayer.size === 0 && stacked.size === 0)
    throw unsupported('no KV cache inputs (past_key_values.N.key/value or past_N); export with --task text-generation-with-past');

  const outputByName = new Map(outputs.map((m) => [m.name, m]));
  const logits = outputByName.get('logits');
  if (!logits) throw unsupported(`no logits output (outputs: ${outputs.map((o) => o.name).join(', ')})`);
  if (!FLOAT_TYPES.includes(typeOf(logits))) throw unsupported(`output ${describe(logits)}: expected float32 or float16 logits`);

  let first: ValueMeta;
  let cache: CacheNames;
  const cacheInputs: ValueMeta[] = [];
  const cacheOutputs: [ValueMeta, ValueMeta][] = [];
  const presentFor = (pastName: string, name: string): ValueMeta => {
    const out = outputByName.get(name);
    if (!out) throw unsupported(`input ${pastName} has no matching output ${name}`);
    return out;
  };
  if (perLayer.size > 0) {
    const numbers = [...perLayer.keys()].sort((a, b) => a - b);
    const past: { key: string; value: string }[] = [];
    const present: { key: string; value: string }[] = [];
    for (const n of numbers) {
      const { key, value } = perLayer.get(n)!;
      if (!key || !value) throw unsupported(`past_key_values.${n} has a ${key ? 'key' : 'value'} but no ${key ? 'value' : 'key'} input`);
      past.push({ key: key.name, value: value.name });
      present.push({ key: `present.${n}.key`, value: `present.${n}.value` });
      cacheInputs.push(key, value);
      cacheOutputs.push([key, presentFor(key.name, `present.${n}.key`)], [value, presentFor(value.name, `present.${n}.value`)]);
    }
    cache = { layout: 'per-layer', past, present };
    first = perLayer.get(numbers[0])!.key!;
  } else {
    const numbers = [...stacked.keys()].sort((a, b) => a - b);
    for (const n of numbers) {
      const m = stacked.get(n)!;
      cacheInputs.push(m);
      cacheOutputs.push([m, presentFor(m.name, `present_${n}`)]);
    }
    cache = { layout: 'stacked', past: numbers.map((n) => `past_${n}`), present: numbers.map((n) => `present_${n}`) };
    first = stacked.get(numbers[0])!;
  }

  const cacheType = typeOf(first);
  const rank = cache.layout === 'stacked' ? 5 : 4;
  const expectedShape =
    cache.layout === 'stacked' ? '[2, batch, heads, past_sequence, head_dim]' : '[batch, heads, past_sequence, head_dim]';
  for (const m of cacheInputs) {
    if (!FLOAT_TYPES.includes(typeOf(m))) throw unsupported(`input ${describe(m)}: expected a float32 or float16 KV cache`);
    if (typeOf(m) !== cacheType) throw unsupported(`input ${describe(m)}: expected ${cacheType} like ${first.name}`);
    if (m.shape && m.shape.length > 0 && m.shape.length !== rank) throw unsupported(`input ${describe(m)}: expected ${expectedShape}`);
    if (cache.layout === 'stacked' && typeof m.shape?.[0] === 'number' && m.shape[0] !== 2)
      throw unsupported(`input ${describe(m)}: expected ${expectedShape} with key and value stacked on the first axis`);
  }
  for (const [past, present] of cacheOutputs) {
    if (typeOf(present) !== typeOf(past)) throw unsupported(`output ${describe(present)}: expected ${typeOf(past)} like ${past.name}`);
  }

  const shape = first.shape ?? [];
  const offset = cache.layout === 'stacked' ? 1 : 0;
  const fromConfig = {
    kvHeads: config.num_key_value_heads ?? config.num_attention_heads ?? config.n_head,
    headDim: config.head_dim ?? (config.hidden_size ?? config.n_embd ?? 0) / (config.num_attention_heads ?? config.n_head ?? 1),
  };
  const kvHeads = typeof shape[offset + 1] === 'number' ? (shape[offset + 1] as number) : fromConfig.kvHeads;
  const headDim = typeof shape[offset + 3] === 'number' ? (shape[offset + 3] as number) : fromConfig.headDim;
  if (!kvHeads || !headDim || !Number.isInteger(headDim))
    throw unsupported(`input ${describe(first)}: cache heads / head dim are neither in the signature nor in config.json`);

  const logitsShape = logits.shape ?? [];
  const vocabFromLogits = logitsShape[logitsShape.length - 1];
  const ops = facts?.ops ?? new Set<string>();
  return {
    inputIds,
    attentionMask,
    positionIds,
    cachePosition,
    logitsToKeep,
    idType: inputIds.type,
    cacheType: cacheType as FloatType,
    logitsType: typeOf(logits) as FloatType,
    cache,
    cacheAlignment: ops.has('com.microsoft:GroupQueryAttention') ? 'right' : 'left',
    layers: cache.past.length,
    kvHeads,
    headDim,
    vocabSize: config.vocab_size ?? (typeof vocabFromLogits === 'number' ? vocabFromLogits : 0),
    contextLength: config.max_position_embeddings ?? config.n_positions ?? 2048,
    hasPositionIds: positionIds !== null,
  };
}
