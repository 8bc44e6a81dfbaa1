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
 * The cache tensors are float32 or float16. The architecture is GPT-2's (learned positions,
 * pre-LayerNorm blocks), so config.json says model_type "gpt2" and @huggingface/transformers can
 * run the same folder, which the benchmark relies on. config.json carries a `brandwright.demo`
 * marker: everything generated with such a model is flagged as demo output.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
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
  cacheType?: 'float32' | 'float16';
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
  test: { hidden: 64, heads: 4, layers: 2, mlp: 128, positions: 512, merges: 600 },
  bench: { hidden: 512, heads: 8, layers: 8, mlp: 2048, positions: 1024, merges: 1200 },
};

export interface TinyTextModelInfo {
  dir: string;
  parameters: number;
  vocabSize: number;
}

export function buildTinyTextModel(options: TinyTextModelOptions): TinyTextModelInfo {
  const dims = SIZES[options.size ?? 'test'];
  const idType = options.idType ?? 'int64';
  const cacheType = options.cacheType ?? 'float32';
  const random = seededRandom(options.seed ?? 1);
  const tok = buildTinyTokenizer({ merges: dims.merges, extraText: (options.favour ?? []).join(' ') });
  const vocab = tok.vocabSize;
  const { hidden: E, heads: H, layers: L, mlp: M } = dims;
  const D = E / H;

  const uniform = (n: number, scale: number) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = (random() * 2 - 1) * scale;
    return a;
  };
  const ones = (n: number) => new Float32Array(n).fill(1);
  const zeros = (n: number) => new Float32Array(n);

  const g = new OnnxGraph('tiny_text_decoder');
  g.input('input_ids', idType, ['batch_size', 'sequence_length']);
  g.input('attention_mask', idType, ['batch_size', 'total_sequence_length']);
  g.input('position_ids', idType, ['batch_size', 'sequence_length']);
  for (let l = 0; l < L; l++) {
    for (const kind of ['key', 'value']) {
      g.input(`past_key_values.${l}.${kind}`, cacheType, ['batch_size', H, 'past_sequence_length', D]);
    }
  }

  const wte = g.initializer('transformer.wte.weight', 'float32', [vocab, E], uniform(vocab * E, 1));
  const wpe = g.initializer('transformer.wpe.weight', 'float32', [dims.positions, E], uniform(dims.positions * E, 0.5));
  const x0 = g.op('Add', [g.op('Gather', [wte, 'input_ids']), g.op('Gather', [wpe, 'position_ids'])]);

  // Attention bias [batch, 1, seq, total]: causal over absolute positions, plus padding from the mask.
  const i64 = (values: number[]) => g.constant('int64', [values.length], values);
  const scalarI64 = (v: number) => g.constant('int64', [], [v]);
  const scalarF = (v: number) => g.constant('float32', [], new Float32Array([v]));
  const pastLen = g.op('Gather', [g.op('Shape', ['past_key_values.0.key']), scalarI64(2)], { axis: 0 });
  const seqLen = g.op('Gather', [g.op('Shape', ['input_ids']), scalarI64(1)], { axis: 0 });
  const totalLen = g.op('Add', [pastLen, seqLen]);
  const queryPos = g.op('Unsqueeze', [g.op('Range', [pastLen, totalLen, scalarI64(1)]), i64([1])]);
  const keyPos = g.op('Range', [scalarI64(0), totalLen, scalarI64(1)]);
  const causal = g.op('Where', [g.op('LessOrEqual', [keyPos, queryPos]), scalarF(0), scalarF(-1e9)]);
  const maskF = g.op('Cast', ['attention_mask'], { to: 1 });
  const padBias = g.op('Unsqueeze', [g.op('Mul', [g.op('Sub', [scalarF(1), maskF]), scalarF(-1e9)]), i64([1, 2])]);
  const bias = g.op('Add', [causal, padBias]);
  const scale = scalarF(1 / Math.sqrt(D));
  const splitHeads = i64([0, 0, H, D]);
  const mergeHeads = i64([0, 0, E]);

  const layerNorm = (x: string, name: string) =>
    g.op(
      'LayerNormalization',
      [x, g.initializer(`${name}.weight`, 'float32', [E], ones(E)), g.initializer(`${name}.bias`, 'float32', [E], zeros(E))],
      {
        axis: -1,
        epsilon: 1e-5,
      },
    );
  const linear = (x: string, name: string, inF: number, outF: number) =>
    g.op('MatMul', [x, g.initializer(name, 'float32', [inF, outF], uniform(inF * outF, 1 / Math.sqrt(inF)))]);
  const toHeads = (x: string) => g.op('Transpose', [g.op('Reshape', [x, splitHeads])], { perm: [0, 2, 1, 3] });

  let x = x0;
  for (let l = 0; l < L; l++) {
    const p = `transformer.h.${l}`;
    const h = layerNorm(x, `${p}.ln_1`);
    const q = toHeads(linear(h, `${p}.attn.q.weight`, E, E));
    const cache = (kind: 'key' | 'value') => {
      const fresh = toHeads(linear(h, `${p}.attn.${kind[0]}.weight`, E, E));
      const stored = cacheType === 'float16' ? g.op('Cast', [fresh], { to: 10 }) : fresh;
      const present = `present.${l}.${kind}`;
      g.node('Concat', [`past_key_values.${l}.${kind}`, stored], [present], { axis: 2 });
      return cacheType === 'float16' ? g.op('Cast', [present], { to: 1 }) : present;
    };
    const k = cache('key');
    const v = cache('value');
    const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q, g.op('Transpose', [k], { perm: [0, 1, 3, 2] })]), scale]), bias]);
    const context = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), v]);
    const merged = g.op('Reshape', [g.op('Transpose', [context], { perm: [0, 2, 1, 3] }), mergeHeads]);
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
  const final = layerNorm(x, 'transformer.ln_f');
  const lmHead = g.initializer('lm_head.weight', 'float32', [E, vocab], uniform(E * vocab, 2 / Math.sqrt(E)));
  g.node('Add', [g.op('MatMul', [final, lmHead]), g.initializer('lm_head.bias', 'float32', [vocab], logitBias)], ['logits']);

  g.output('logits', 'float32', ['batch_size', 'sequence_length', vocab]);
  for (let l = 0; l < L; l++) {
    for (const kind of ['key', 'value']) {
      g.output(`present.${l}.${kind}`, cacheType as OnnxDataType, ['batch_size', H, 'total_sequence_length', D]);
    }
  }

  mkdirSync(options.dir, { recursive: true });
  writeOnnxModel(join(options.dir, 'onnx', 'model.onnx'), g, { opset: 17, externalData: options.externalData });

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
    n_positions: dims.positions,
    n_ctx: dims.positions,
    hidden_size: E,
    num_attention_heads: H,
    num_hidden_layers: L,
    head_dim: D,
    max_position_embeddings: dims.positions,
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
      cacheType,
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
