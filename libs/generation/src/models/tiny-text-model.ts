/**
 * Writes a tiny random-weight decoder-only text model in the Hugging Face layout, with exactly the
 * ONNX signature of an Optimum `text-generation-with-past` export (GPT-2 style):
 *
 *   inputs   input_ids [batch_size, sequence_length]            int64 (or int32)
 *            attention_mask [batch_size, total_sequence_length]  int64 (or int32)
 *            position_ids [batch_size, sequence_length]          int64 (or int32)
 *            past_key_values.N.key|value [batch_size, num_heads, past_sequence_length, head_dim]
 *   outputs  logits [batch_size, sequence_length, vocab_size]   float32
 *            present.N.key|value [batch_size, num_heads, total_sequence_length, head_dim]
 *
 * By default. Options give it the other signatures real exports have (see tiny-text-variants.ts):
 * int32/int64 per input, float16 cache and logits, no position_ids, cache_position +
 * num_logits_to_keep, stacked past_N, cache numbered from N > 0, com.microsoft
 * GroupQueryAttention / MultiHeadAttention, int4 MatMulNBits weights, external data.
 *
 * The cache tensors are float32 or float16. The architecture is GPT-2's (learned positions,
 * pre-LayerNorm blocks), so config.json says model_type "gpt2" and @huggingface/transformers can
 * run the same folder, which the benchmark relies on. config.json carries a `brandwright.demo`
 * marker: everything generated with such a model is flagged as demo output.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OnnxGraph, writeOnnxModel, type OnnxDataType } from './onnx-builder';
import { buildTinyTokenizer, SPECIAL_TOKENS } from './tiny-tokenizer';
import { Tokenizer } from '@huggingface/tokenizers';
import { seededRandom } from '../runtime/seeded-random';

export type TinyModelSize = 'test' | 'bench';

export interface TinyTextModelOptions {
  /** Folder to write (created). */
  dir: string;
  /** 'test' (~0.2M parameters, for tests and first runs) or 'bench' (~30M, for benchmarks). */
  size?: TinyModelSize;
  seed?: number;
  idType?: 'int64' | 'int32';
  /** bfloat16 only to show that the engine refuses it (onnxruntime-node cannot pass bf16 tensors). */
  cacheType?: 'float32' | 'float16' | 'bfloat16';
  /**
   * Texts whose tokens (and every vocabulary token that is a piece of them, case-insensitively)
   * get a large logit bonus, so the model strongly prefers to write them. Tests use this to prove
   * that banned terms are blocked.
   */
  favour?: string[];
  favourBonus?: number;
  /** Make end-of-text tokens never win, so benchmarks always run to max_new_tokens. */
  suppressEos?: boolean;
  /** Store weights in onnx/model.onnx_data, as Optimum does for big models. */
  externalData?: boolean;
  /** The model id written into config.json (`_name_or_path`). */
  name?: string;
  /** attention_mask dtype when it differs from input_ids' (real exports mix int32 ids with an int64 mask). */
  maskType?: 'int64' | 'int32';
  /** position_ids dtype (default: the mask's). */
  positionType?: 'int64' | 'int32';
  /** Without position_ids the graph derives positions from the mask (cumsum - 1), as OPT exports do. */
  positionIds?: boolean;
  /**
   * Recent transformers exports: `cache_position` ([sequence_length], the new tokens' cache slots,
   * which the causal mask is built from) and a scalar `num_logits_to_keep` (0 = every position).
   */
  cachePosition?: boolean;
  /** logits dtype (default float32); float16 as in CUDA-targeted exports. */
  logitsType?: 'float32' | 'float16';
  /**
   * 'per-layer': Optimum's past_key_values.N.key/value → present.N.key/value (default).
   * 'stacked': the legacy past_N / present_N, [2, batch, heads, seq, head_dim].
   */
  cacheLayout?: 'per-layer' | 'stacked';
  /** Number of the first cache layer (hybrid exports start at past_key_values.1). */
  firstCacheLayer?: number;
  /**
   * 'plain': MatMul/Softmax attention over a Concat cache (Optimum). 'group-query': the fused
   * com.microsoft GroupQueryAttention with rotary positions and half as many KV heads, fed
   * seqlens_k from the mask, as onnxruntime-genai's builder writes it (no position_ids input).
   * 'multi-head': the fused com.microsoft MultiHeadAttention, which appends to the cache itself and
   * takes the mask as an additive attention_bias.
   */
  attention?: 'plain' | 'group-query' | 'multi-head';
  /** 'int4': every linear layer is a com.microsoft MatMulNBits (4-bit blocks of 32), as the genai builder quantizes. */
  weights?: 'float32' | 'int4';
  /** Positions the model takes (default: the size's, 2,048 for 'test'). */
  contextLength?: number;
}

interface Dims {
  hidden: number;
  heads: number;
  layers: number;
  mlp: number;
  positions: number;
  merges: number;
}

const SIZES: Record<TinyModelSize, Dims> = {
  // 2,048 positions: a realistic brand voice (tones, terms, rules, three examples) plus a brief fits.
  test: { hidden: 64, heads: 4, layers: 2, mlp: 128, positions: 2048, merges: 600 },
  bench: { hidden: 512, heads: 8, layers: 8, mlp: 2048, positions: 1024, merges: 1200 },
};

/** Positions of the demo model ('test' size): a full brand voice with three examples plus a brief fits. */
export const DEMO_CONTEXT = SIZES.test.positions;

/**
 * True for a demo model this project built earlier with a shorter context than today's (512
 * positions before): it is rebuilt at start, since a normal brand does not fit it.
 */
export function isOutdatedTinyDemo(dir: string): boolean {
  try {
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as {
      max_position_embeddings?: number;
      brandwright?: { demo?: boolean; size?: string };
    };
    return config.brandwright?.demo === true && config.brandwright.size === 'test' && (config.max_position_embeddings ?? 0) < DEMO_CONTEXT;
  } catch {
    return false;
  }
}

export interface TinyTextModelInfo {
  dir: string;
  parameters: number;
  vocabSize: number;
}

export function buildTinyTextModel(options: TinyTextModelOptions): TinyTextModelInfo {
  const dims = SIZES[options.size ?? 'test'];
  const positions = options.contextLength ?? dims.positions;
  const idType = options.idType ?? 'int64';
  const maskType = options.maskType ?? idType;
  const positionType = options.positionType ?? maskType;
  const cacheType = options.cacheType ?? 'float32';
  const logitsType = options.logitsType ?? 'float32';
  const layout = options.cacheLayout ?? 'per-layer';
  const attention = options.attention ?? 'plain';
  const firstLayer = options.firstCacheLayer ?? 0;
  // The fused op computes positions itself (rotary from seqlens_k): its exports have no position_ids.
  const hasPositionIds = attention !== 'group-query' && (options.positionIds ?? true);
  const random = seededRandom(options.seed ?? 1);
  const tok = buildTinyTokenizer({ merges: dims.merges, extraText: (options.favour ?? []).join(' ') });
  const vocab = tok.vocabSize;
  const { hidden: E, heads: H, layers: L, mlp: M } = dims;
  const D = E / H;
  const KVH = attention === 'group-query' ? H / 2 : H;

  const uniform = (n: number, scale: number) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = (random() * 2 - 1) * scale;
    return a;
  };
  const ones = (n: number) => new Float32Array(n).fill(1);
  const zeros = (n: number) => new Float32Array(n);

  const g = new OnnxGraph('tiny_text_decoder');
  g.input('input_ids', idType, ['batch_size', 'sequence_length']);
  g.input('attention_mask', maskType, ['batch_size', 'total_sequence_length']);
  if (hasPositionIds) g.input('position_ids', positionType, ['batch_size', 'sequence_length']);
  const hfExtras = attention === 'plain' && (options.cachePosition ?? false);
  if (hfExtras) {
    g.input('cache_position', 'int64', ['sequence_length']);
    g.input('num_logits_to_keep', 'int64', []);
  }
  const layerNumber = (l: number) => l + firstLayer;
  const pastName = (l: number, kind: 'key' | 'value') => `past_key_values.${layerNumber(l)}.${kind}`;
  for (let l = 0; l < L; l++) {
    if (layout === 'stacked') g.input(`past_${layerNumber(l)}`, cacheType, [2, 'batch_size', KVH, 'past_sequence_length', D]);
    else
      for (const kind of ['key', 'value'] as const) g.input(pastName(l, kind), cacheType, ['batch_size', KVH, 'past_sequence_length', D]);
  }

  const i64 = (values: number[]) => g.constant('int64', [values.length], values);
  const scalarI64 = (v: number) => g.constant('int64', [], [v]);
  const scalarF = (v: number) => g.constant('float32', [], new Float32Array([v]));
  const wte = g.initializer('transformer.wte.weight', 'float32', [vocab, E], uniform(vocab * E, 1));
  const seqLen = g.op('Gather', [g.op('Shape', ['input_ids']), scalarI64(1)], { axis: 0 });
  const totalLen = g.op('Gather', [g.op('Shape', ['attention_mask']), scalarI64(1)], { axis: 0 });
  const pastLen = g.op('Sub', [totalLen, seqLen]);

  let x = g.op('Gather', [wte, 'input_ids']);
  if (attention !== 'group-query') {
    // Learned positions: given, or derived from the mask as cumsum(mask) - 1 over the new positions.
    let positionIds = 'position_ids';
    if (!hasPositionIds) {
      const mask64 = g.op('Cast', ['attention_mask'], { to: 7 });
      const cumulative = g.op('Sub', [g.op('CumSum', [mask64, scalarI64(1)]), scalarI64(1)]);
      const fresh = g.op('Slice', [cumulative, g.op('Unsqueeze', [pastLen, i64([0])]), g.op('Unsqueeze', [totalLen, i64([0])]), i64([1])]);
      positionIds = g.op('Max', [fresh, scalarI64(0)]);
    }
    const wpe = g.initializer('transformer.wpe.weight', 'float32', [positions, E], uniform(positions * E, 0.5));
    x = g.op('Add', [x, g.op('Gather', [wpe, positionIds])]);
  }

  // Attention bias [batch, 1, seq, total] (plain attention): causal over cache slots, plus padding from the mask.
  let bias = '';
  if (attention !== 'group-query') {
    const slots = hfExtras ? 'cache_position' : g.op('Range', [pastLen, totalLen, scalarI64(1)]);
    const queryPos = g.op('Unsqueeze', [slots, i64([1])]);
    const keyPos = g.op('Range', [scalarI64(0), totalLen, scalarI64(1)]);
    const causal = g.op('Where', [g.op('LessOrEqual', [keyPos, queryPos]), scalarF(0), scalarF(-1e9)]);
    const maskF = g.op('Cast', ['attention_mask'], { to: 1 });
    const padBias = g.op('Unsqueeze', [g.op('Mul', [g.op('Sub', [scalarF(1), maskF]), scalarF(-1e9)]), i64([1, 2])]);
    bias = g.op('Add', [causal, padBias]);
  }
  // GroupQueryAttention reads each row's length from seqlens_k (mask sum - 1): rows are contiguous from slot 0.
  let seqlensK = '';
  let totalI32 = '';
  let cos = '';
  let sin = '';
  if (attention === 'group-query') {
    const mask64 = g.op('Cast', ['attention_mask'], { to: 7 });
    seqlensK = g.op('Cast', [g.op('Sub', [g.op('ReduceSum', [mask64, i64([1])], { keepdims: 0 }), scalarI64(1)])], { to: 6 });
    totalI32 = g.op('Cast', [totalLen], { to: 6 });
    const half = D / 2;
    const cosValues = new Float32Array(positions * half);
    const sinValues = new Float32Array(positions * half);
    for (let p = 0; p < positions; p++)
      for (let i = 0; i < half; i++) {
        const angle = p / 10000 ** ((2 * i) / D);
        cosValues[p * half + i] = Math.cos(angle);
        sinValues[p * half + i] = Math.sin(angle);
      }
    cos = g.initializer('cos_cache', 'float32', [positions, half], cosValues);
    sin = g.initializer('sin_cache', 'float32', [positions, half], sinValues);
  }
  const plain = attention === 'plain';
  const scale = plain ? scalarF(1 / Math.sqrt(D)) : '';
  const splitHeads = plain ? i64([0, 0, H, D]) : '';
  const mergeHeads = plain ? i64([0, 0, E]) : '';

  const layerNorm = (input: string, name: string) =>
    g.op(
      'LayerNormalization',
      [input, g.initializer(`${name}.weight`, 'float32', [E], ones(E)), g.initializer(`${name}.bias`, 'float32', [E], zeros(E))],
      { axis: -1, epsilon: 1e-5 },
    );
  const linear = (input: string, name: string, inF: number, outF: number) => {
    const w = uniform(inF * outF, 1 / Math.sqrt(inF));
    if (options.weights === 'int4') return matMulNBits(g, input, name, w, inF, outF);
    return g.op('MatMul', [input, g.initializer(name, 'float32', [inF, outF], w)]);
  };
  const toHeads = (input: string) => g.op('Transpose', [g.op('Reshape', [input, splitHeads])], { perm: [0, 2, 1, 3] });
  const toCache = (t: string) => (cacheType === 'float32' ? t : g.op('Cast', [t], { to: cacheType === 'float16' ? 10 : 16 }));
  const fromCache = (t: string) => (cacheType === 'float32' ? t : g.op('Cast', [t], { to: 1 }));

  for (let l = 0; l < L; l++) {
    const p = `transformer.h.${l}`;
    const h = layerNorm(x, `${p}.ln_1`);
    const stacked = `past_${layerNumber(l)}`;
    const past = (kind: 'key' | 'value') =>
      layout === 'stacked' ? g.op('Gather', [stacked, scalarI64(kind === 'key' ? 0 : 1)], { axis: 0 }) : pastName(l, kind);
    const presentName = (kind: 'key' | 'value') =>
      layout === 'stacked' ? g.uniqueName(`present_${kind}`) : `present.${layerNumber(l)}.${kind}`;
    let merged: string;
    let presentKey: string;
    let presentValue: string;
    if (attention === 'group-query') {
      const q = linear(h, `${p}.attn.q.weight`, E, E);
      const k = linear(h, `${p}.attn.k.weight`, E, KVH * D);
      const v = linear(h, `${p}.attn.v.weight`, E, KVH * D);
      presentKey = presentName('key');
      presentValue = presentName('value');
      const out = g.uniqueName('gqa_out');
      // GroupQueryAttention computes in the cache dtype: float32 models keep float32 caches.
      g.node(
        'GroupQueryAttention',
        [q, k, v, past('key'), past('value'), seqlensK, totalI32, cos, sin],
        [out, presentKey, presentValue],
        { num_heads: H, kv_num_heads: KVH, do_rotary: 1 },
        'com.microsoft',
      );
      merged = out;
    } else if (attention === 'multi-head') {
      const q = linear(h, `${p}.attn.q.weight`, E, E);
      const k = linear(h, `${p}.attn.k.weight`, E, E);
      const v = linear(h, `${p}.attn.v.weight`, E, E);
      presentKey = presentName('key');
      presentValue = presentName('value');
      merged = g.uniqueName('mha_out');
      // Inputs: query, key, value, bias, key_padding_mask, attention_bias, past_key, past_value.
      g.node(
        'MultiHeadAttention',
        [q, k, v, '', '', bias, past('key'), past('value')],
        [merged, presentKey, presentValue],
        { num_heads: H },
        'com.microsoft',
      );
    } else {
      const q = toHeads(linear(h, `${p}.attn.q.weight`, E, E));
      const cache = (kind: 'key' | 'value') => {
        const fresh = toHeads(linear(h, `${p}.attn.${kind[0]}.weight`, E, E));
        const present = presentName(kind);
        g.node('Concat', [past(kind), toCache(fresh)], [present], { axis: 2 });
        return present;
      };
      presentKey = cache('key');
      presentValue = cache('value');
      const k = fromCache(presentKey);
      const v = fromCache(presentValue);
      const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q, g.op('Transpose', [k], { perm: [0, 1, 3, 2] })]), scale]), bias]);
      const context = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), v]);
      merged = g.op('Reshape', [g.op('Transpose', [context], { perm: [0, 2, 1, 3] }), mergeHeads]);
    }
    if (layout === 'stacked') {
      const unsqueeze = (t: string) => g.op('Unsqueeze', [t, i64([0])]);
      g.node('Concat', [unsqueeze(presentKey), unsqueeze(presentValue)], [`present_${layerNumber(l)}`], { axis: 0 });
    }
    x = g.op('Add', [x, linear(merged, `${p}.attn.o.weight`, E, E)]);
    const m = linear(layerNorm(x, `${p}.ln_2`), `${p}.mlp.fc.weight`, E, M);
    const act = g.op('Mul', [m, g.op('Sigmoid', [m])]);
    x = g.op('Add', [x, linear(act, `${p}.mlp.proj.weight`, M, E)]);
  }

  // Logit bias: the favoured texts' pieces win; end-of-text loses when asked.
  const logitBias = new Float32Array(vocab);
  const tokenizer = new Tokenizer(tok.tokenizerJson, tok.tokenizerConfig);
  if (options.favour?.length) {
    const bonus = options.favourBonus ?? 12;
    const wanted = options.favour.map((f) => f.toLowerCase());
    for (let id = 0; id < vocab - SPECIAL_TOKENS.length; id++) {
      const piece = tokenizer.decode([id]).toLowerCase().trim();
      if (piece.length >= 2 && wanted.some((w) => w.includes(piece))) logitBias[id] = bonus;
    }
    for (const w of options.favour) for (const id of tokenizer.encode(' ' + w).ids) logitBias[id] = bonus + 2;
  }
  if (options.suppressEos) for (const id of Object.values(tok.specialIds)) logitBias[id] = -1e4;
  if (hfExtras) {
    // HF's logits[:, -k:, :], where k = 0 keeps every position.
    const keep = g.op('Where', [
      g.op('Greater', ['num_logits_to_keep', scalarI64(0)]),
      g.op('Sub', [seqLen, 'num_logits_to_keep']),
      scalarI64(0),
    ]);
    x = g.op('Slice', [x, g.op('Unsqueeze', [keep, i64([0])]), g.op('Unsqueeze', [seqLen, i64([0])]), i64([1])]);
  }
  const final = layerNorm(x, 'transformer.ln_f');
  const lmHead = g.initializer('lm_head.weight', 'float32', [E, vocab], uniform(E * vocab, 2 / Math.sqrt(E)));
  const logits = g.op('Add', [g.op('MatMul', [final, lmHead]), g.initializer('lm_head.bias', 'float32', [vocab], logitBias)]);
  g.node(logitsType === 'float16' ? 'Cast' : 'Identity', [logits], ['logits'], logitsType === 'float16' ? { to: 10 } : {});

  g.output('logits', logitsType, ['batch_size', 'sequence_length', vocab]);
  for (let l = 0; l < L; l++) {
    if (layout === 'stacked') g.output(`present_${layerNumber(l)}`, cacheType, [2, 'batch_size', KVH, 'total_sequence_length', D]);
    else
      for (const kind of ['key', 'value'])
        g.output(`present.${layerNumber(l)}.${kind}`, cacheType as OnnxDataType, ['batch_size', KVH, 'total_sequence_length', D]);
  }

  const usesContribOps = attention !== 'plain' || options.weights === 'int4';
  mkdirSync(options.dir, { recursive: true });
  writeOnnxModel(join(options.dir, 'onnx', 'model.onnx'), g, {
    opset: 17,
    externalData: options.externalData,
    extraOpsets: usesContribOps ? { 'com.microsoft': 1 } : undefined,
  });

  const eos = tok.specialIds['<|im_end|>'];
  const endOfText = tok.specialIds['<|endoftext|>'];
  const config = {
    _name_or_path: options.name ?? 'brandwright/tiny-demo',
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: vocab,
    n_embd: E,
    n_head: H,
    n_layer: L,
    n_inner: M,
    n_positions: positions,
    n_ctx: positions,
    hidden_size: E,
    num_attention_heads: H,
    num_key_value_heads: KVH,
    num_hidden_layers: L,
    head_dim: D,
    max_position_embeddings: positions,
    bos_token_id: endOfText,
    eos_token_id: eos,
    pad_token_id: endOfText,
    use_cache: true,
    torch_dtype: 'float32',
    brandwright: {
      demo: true,
      builtBy: 'models build-tiny',
      size: options.size ?? 'test',
      seed: options.seed ?? 1,
      idType,
      maskType,
      positionIds: hasPositionIds,
      cachePosition: hfExtras,
      cacheType,
      logitsType,
      cacheLayout: layout,
      firstCacheLayer: firstLayer,
      attention,
      weights: options.weights ?? 'float32',
      externalData: options.externalData ?? false,
      favour: options.favour ?? [],
    },
  };
  const json = (file: string, value: unknown) => writeFileSync(join(options.dir, file), JSON.stringify(value, null, 2) + '\n');
  json('config.json', config);
  json('generation_config.json', { bos_token_id: endOfText, eos_token_id: [eos, endOfText], pad_token_id: endOfText, do_sample: false });
  json('tokenizer.json', tok.tokenizerJson);
  json('tokenizer_config.json', tok.tokenizerConfig);
  json('special_tokens_map.json', { eos_token: '<|im_end|>', pad_token: '<|endoftext|>' });
  return { dir: options.dir, parameters: g.parameterCount(), vocabSize: vocab };
}

/**
 * A linear layer as com.microsoft MatMulNBits: weights [inF, outF] quantized to 4 bits in blocks
 * of 32 along the input dimension (symmetric, zero point 8), packed two per byte, low nibble first.
 */
function matMulNBits(g: OnnxGraph, input: string, name: string, w: Float32Array, inF: number, outF: number): string {
  const block = 32;
  const blocks = Math.ceil(inF / block);
  const packed = new Uint8Array(outF * blocks * (block / 2));
  const scales = new Float32Array(outF * blocks);
  for (let n = 0; n < outF; n++) {
    for (let b = 0; b < blocks; b++) {
      let max = 0;
      for (let k = b * block; k < Math.min(inF, (b + 1) * block); k++) max = Math.max(max, Math.abs(w[k * outF + n]));
      const scale = max / 7 || 1;
      scales[n * blocks + b] = scale;
      for (let i = 0; i < block; i++) {
        const k = b * block + i;
        const q = k < inF ? Math.max(0, Math.min(15, Math.round(w[k * outF + n] / scale) + 8)) : 8;
        const at = (n * blocks + b) * (block / 2) + (i >> 1);
        packed[at] |= i % 2 === 0 ? q : q << 4;
      }
    }
  }
  return g.op(
    'MatMulNBits',
    [
      input,
      g.initializer(`${name}.qweight`, 'uint8', [outF, blocks, block / 2], packed),
      g.initializer(`${name}.scales`, 'float32', [outF * blocks], scales),
    ],
    { K: inF, N: outF, bits: 4, block_size: block },
    'com.microsoft',
  );
}
