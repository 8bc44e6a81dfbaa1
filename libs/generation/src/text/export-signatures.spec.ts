/**
 * Every decoder signature the engine supports, on a tiny model with that exact signature and op
 * types: the engine's greedy ids must equal those of a bare onnxruntime-node loop written here,
 * independently of the engine (one request at a time, batch 1, no padding, its own fp16 decoding),
 * for one request and for four concurrent requests of different prompt lengths (left-padded into
 * one prefill). Signatures the engine cannot feed are refused at load with MODEL_UNSUPPORTED.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Tokenizer } from '@huggingface/tokenizers';
import { buildTinyTextVariants, tinyVariantId, TINY_TEXT_VARIANTS } from '../models/tiny-text-variants';
import { buildTinyTextModel } from '../models/tiny-text-model';
import { OnnxGraph, writeOnnxModel } from '../models/onnx-builder';
import { TextEngine } from './text-engine';
import { DecoderModel } from './decoder-model';
import { resolveTextModel } from '../models/model-store';
import { GenerationError, GenerationErrorCode } from './generation-error';

const root = mkdtempSync(join(tmpdir(), 'export-signatures-'));
const NEW_TOKENS = 10;
// Different lengths on purpose: batched together they are left-padded to the longest.
const PROMPTS = ['Fresh coffee delivered', 'Hi', 'Describe our new running shoes for a summer sale, please', 'Save time and money'];

before(() => {
  buildTinyTextVariants(root, { suppressEos: true });
});

after(() => rmSync(root, { recursive: true, force: true }));

const dirOf = (name: string) => join(root, tinyVariantId(TINY_TEXT_VARIANTS.find((v) => v.name === name)!));

// ---- The reference: a plain greedy loop over onnxruntime-node, nothing from the engine. ----

function halfToNumber(h: number): number {
  const exponent = (h >> 10) & 31;
  const fraction = h & 1023;
  const value =
    exponent === 0 ? fraction / 1024 / 16384 : exponent === 31 ? (fraction ? NaN : Infinity) : (1 + fraction / 1024) * 2 ** (exponent - 15);
  return h & 0x8000 ? -value : value;
}

function intTensor(type: string, values: number[], dims: number[]): ort.Tensor {
  return type === 'int32'
    ? new ort.Tensor('int32', Int32Array.from(values), dims)
    : new ort.Tensor(
        'int64',
        BigInt64Array.from(values, (v) => BigInt(v)),
        dims,
      );
}

async function referenceGreedy(session: ort.InferenceSession, promptIds: number[], steps: number): Promise<number[]> {
  const inputs = session.inputMetadata as ort.InferenceSession.TensorValueMetadata[];
  const state: Record<string, ort.Tensor> = {};
  for (const m of inputs) {
    if (!m.name.startsWith('past')) continue;
    // Empty cache: batch 1, no past positions.
    const dims = m.shape.map((d) => (typeof d === 'number' ? d : /batch/.test(d) ? 1 : 0));
    state[m.name] = new ort.Tensor(m.type as 'float32', m.type === 'float32' ? new Float32Array(0) : new Uint16Array(0), dims);
  }
  let pending = promptIds;
  let seen = 0;
  const out: number[] = [];
  for (let step = 0; step < steps; step++) {
    const n = pending.length;
    const feeds: Record<string, ort.Tensor> = {};
    for (const m of inputs) {
      if (m.name === 'input_ids') feeds[m.name] = intTensor(m.type, pending, [1, n]);
      else if (m.name === 'attention_mask') feeds[m.name] = intTensor(m.type, new Array(seen + n).fill(1), [1, seen + n]);
      else if (m.name === 'position_ids')
        feeds[m.name] = intTensor(
          m.type,
          pending.map((_, i) => seen + i),
          [1, n],
        );
      else if (m.name === 'cache_position')
        feeds[m.name] = intTensor(
          m.type,
          pending.map((_, i) => seen + i),
          [n],
        );
      else if (m.name === 'num_logits_to_keep') feeds[m.name] = intTensor(m.type, [0], []);
      else feeds[m.name] = state[m.name];
    }
    const result = await session.run(feeds);
    const logits = result.logits;
    const vocab = logits.dims[2];
    const row = (n - 1) * vocab;
    const value = (i: number) =>
      logits.type === 'float16' ? halfToNumber((logits.data as Uint16Array)[row + i]) : (logits.data as Float32Array)[row + i];
    let best = 0;
    for (let v = 1; v < vocab; v++) if (value(v) > value(best)) best = v;
    out.push(best);
    for (const name of Object.keys(result)) {
      if (name.startsWith('present')) state[name.replace('present.', 'past_key_values.').replace('present_', 'past_')] = result[name];
    }
    seen += n;
    pending = [best];
  }
  return out;
}

function tokenize(dir: string, text: string): number[] {
  const json = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
  const config = JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8'));
  return new Tokenizer(json, config).encode(text, { add_special_tokens: false }).ids;
}

async function engineIds(engine: TextEngine, prompt: string): Promise<number[]> {
  const ids: number[] = [];
  await engine.generate({ prompt, maxNewTokens: NEW_TOKENS, ignoreEos: true }, { onToken: (t) => t.tokenId >= 0 && ids.push(t.tokenId) });
  return ids;
}

describe('every supported export signature is token-exact with a bare onnxruntime-node loop', () => {
  for (const variant of TINY_TEXT_VARIANTS) {
    test(`${variant.name}: ${variant.signature}`, async () => {
      const dir = dirOf(variant.name);
      const session = await ort.InferenceSession.create(join(dir, 'onnx', 'model.onnx'), { intraOpNumThreads: 1 });
      const expected: number[][] = [];
      for (const prompt of PROMPTS) expected.push(await referenceGreedy(session, tokenize(dir, prompt), NEW_TOKENS));
      await session.release();
      assert.equal(new Set(PROMPTS.map((p) => tokenize(dir, p).length)).size, PROMPTS.length, 'prompt lengths differ');
      assert.ok(new Set(expected.map((ids) => ids.join())).size > 1, 'prompts lead to different outputs');

      const engine = await TextEngine.start({ modelDir: dir, threads: 1 });
      try {
        assert.deepEqual(await engineIds(engine, PROMPTS[0]), expected[0], 'one request');
        const together = await Promise.all(PROMPTS.map((p) => engineIds(engine, p)));
        assert.deepEqual(together, expected, 'four concurrent requests');
      } finally {
        await engine.close();
      }
    });
  }
});

describe('what the signature changes', () => {
  test('the contrib ops really run in ONNX Runtime (profiled), not a fallback', async () => {
    const profiled = async (name: string) => {
      const prefix = join(root, `profile-${name}`);
      const session = await ort.InferenceSession.create(join(dirOf(name), 'onnx', 'model.onnx'), {
        enableProfiling: true,
        profileFilePrefix: prefix,
      });
      await referenceGreedy(session, tokenize(dirOf(name), PROMPTS[0]), 2);
      session.endProfiling();
      await session.release();
      const file = readdirSync(root).find((f) => f.startsWith(`profile-${name}`))!;
      const events = JSON.parse(readFileSync(join(root, file), 'utf8')) as { cat: string; args?: { op_name?: string } }[];
      return new Set(events.filter((e) => e.cat === 'Node').map((e) => e.args?.op_name));
    };
    const genai = await profiled('genai-builder');
    assert.ok(genai.has('GroupQueryAttention'), `ran: ${[...genai].join(', ')}`);
    assert.ok(genai.has('MatMulNBits'), `ran: ${[...genai].join(', ')}`);
    assert.ok(!genai.has('MatMul') || !genai.has('Softmax'), 'attention is the fused op');
    const multiHead = await profiled('multi-head');
    assert.ok(multiHead.has('MultiHeadAttention'), `ran: ${[...multiHead].join(', ')}`);
  });

  test('the cache-slice graph change applies to Optimum Concat caches, whatever N starts at, and falls back elsewhere', async () => {
    const slices = async (name: string) => {
      const model = await DecoderModel.load(resolveTextModel(dirOf(name)), { threads: 1 });
      try {
        return { slices: model.cacheSlices?.length ?? 0, signature: model.signature };
      } finally {
        await model.release();
      }
    };
    assert.equal((await slices('optimum')).slices, 2);
    const hybrid = await slices('hybrid-numbering');
    assert.equal(hybrid.slices, 2);
    assert.deepEqual(
      hybrid.signature.cache.past.map((p) => (typeof p === 'string' ? p : p.key)),
      ['past_key_values.1.key', 'past_key_values.2.key'],
    );
    const stacked = await slices('stacked');
    assert.equal(stacked.slices, 0);
    assert.equal(stacked.signature.cache.layout, 'stacked');
    const gqa = await slices('group-query');
    assert.equal(gqa.slices, 0);
    assert.equal(gqa.signature.cacheAlignment, 'right');
    assert.equal((await slices('multi-head')).slices, 0);
    const mixed = await slices('int32-ids');
    assert.deepEqual(
      [mixed.signature.inputIds.type, mixed.signature.attentionMask.type, mixed.signature.positionIds?.type],
      ['int32', 'int64', 'int64'],
    );
    const fp16 = await slices('fp16');
    assert.deepEqual([fp16.signature.cacheType, fp16.signature.logitsType], ['float16', 'float16']);
  });
});

describe('signatures the engine cannot feed are refused at load, naming what did not fit', () => {
  const refused = async (dir: string, pattern: RegExp) => {
    // A model that loads after all is closed again, so a missing refusal fails instead of hanging the run.
    const error = await TextEngine.start({ modelDir: dir, threads: 1 }).then(
      async (engine) => void (await engine.close()),
      (e: unknown) => e,
    );
    assert.ok(error instanceof GenerationError, `the model was refused at load (${String(error)})`);
    assert.equal(error.code, GenerationErrorCode.MODEL_UNSUPPORTED, error.message);
    assert.match(error.message, pattern);
  };

  test('a bfloat16 cache', async () => {
    const dir = join(root, 'bf16');
    buildTinyTextModel({ dir, cacheType: 'bfloat16', name: 'test/bf16' });
    await refused(dir, /past_key_values\.0\.key is bfloat16.*float32 or float16/);
  });

  /** A copy of a tiny model whose graph is replaced by `build` (config and tokenizer stay). */
  const withGraph = (name: string, build: (g: OnnxGraph) => void) => {
    const dir = join(root, name);
    cpSync(dirOf('optimum'), dir, { recursive: true });
    const g = new OnnxGraph(name);
    g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
    g.input('attention_mask', 'int64', ['batch_size', 'total_sequence_length']);
    build(g);
    writeOnnxModel(join(dir, 'onnx', 'model.onnx'), g);
    return dir;
  };
  const cacheLayer = (g: OnnxGraph, past: string, present: string | null) => {
    g.input(past, 'float32', ['batch_size', 4, 'past_sequence_length', 16]);
    if (present) {
      g.node('Identity', [past], [present]);
      g.output(present, 'float32', ['batch_size', 4, 'total_sequence_length', 16]);
    }
  };
  const logits = (g: OnnxGraph, type: 'float32' | 'int64' = 'float32') => {
    g.node('Cast', ['input_ids'], ['logits'], { to: type === 'float32' ? 1 : 7 });
    g.output('logits', type, ['batch_size', 'sequence_length']);
  };

  test('an input it does not know (token_type_ids)', async () => {
    const dir = withGraph('extra-input', (g) => {
      g.input('token_type_ids', 'int64', ['batch_size', 'sequence_length']);
      cacheLayer(g, 'past_key_values.0.key', 'present.0.key');
      cacheLayer(g, 'past_key_values.0.value', 'present.0.value');
      logits(g);
    });
    await refused(dir, /input token_type_ids \(int64.*expected only input_ids, attention_mask/);
  });

  test('a past without its present output', async () => {
    const dir = withGraph('no-present', (g) => {
      cacheLayer(g, 'past_key_values.0.key', 'present.0.key');
      cacheLayer(g, 'past_key_values.0.value', null);
      logits(g);
    });
    await refused(dir, /past_key_values\.0\.value has no matching output present\.0\.value/);
  });

  test('int logits', async () => {
    const dir = withGraph('int-logits', (g) => {
      cacheLayer(g, 'past_key_values.0.key', 'present.0.key');
      cacheLayer(g, 'past_key_values.0.value', 'present.0.value');
      logits(g, 'int64');
    });
    await refused(dir, /output logits \(int64.*expected float32 or float16 logits/);
  });

  test('no cache at all', async () => {
    const dir = withGraph('no-cache', (g) => logits(g));
    await refused(dir, /no KV cache inputs/);
  });
});
