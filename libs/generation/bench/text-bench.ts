/**
 * `npm run bench:text`: tokens/s at 1, 4 and 16 concurrent requests on a built ~27M-parameter
 * model, for (a) this engine (continuous batching on a worker thread), (b) the
 * @huggingface/transformers text-generation pipeline on the same folder (one request at a time,
 * as it runs), (c) a bare onnxruntime-node greedy loop; with ratios and each one's peak RSS.
 *
 * Each measurement runs in its own child process, so peak resident memory is that run's alone
 * (VmHWM of the process, worker thread included). Memory figures are MiB throughout.
 * The memory budget at N concurrent is weights + KV caches + 300 MiB, the KV caches computed from
 * the model's real cache shapes (session input metadata) and each request's real token count
 * (its tokenized prompt + the new tokens).
 * Every request decodes exactly NEW_TOKENS tokens (end-of-text suppressed in the bench model).
 * The engine's greedy token ids for the first prompt are checked against the bare loop's (ids,
 * not texts: the engine's visible text drops what is not copy, see docs/generation-text.md).
 * A last line runs the engine on the same model exported with a float16 cache and float16 logits.
 * Options: --tokens N (default 32), --threads N (default 2), --model-dir DIR.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, basename } from 'node:path';
import * as ort from 'onnxruntime-node';
import { buildTinyTextModel } from '../src/models/tiny-text-model';
import { TextEngine } from '../src/text/text-engine';
import { TextTokenizer } from '../src/text/text-tokenizer';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const NEW_TOKENS = Number(opt('tokens', '32'));
const THREADS = Number(opt('threads', '2'));
const PROMPTS = [
  'Write a headline for a fresh coffee subscription that busy people will love',
  'Describe our new running shoes for a summer sale',
  'An email subject line for the spring collection launch',
  'Say why small teams should try our planning tool for free',
];

interface Measurement {
  tokens: number;
  seconds: number;
  peakRssMb: number;
  sample?: string;
  /** Greedy token ids of the first prompt. */
  sampleIds?: number[];
}

/**
 * Peak resident memory of this whole process (the engine's worker thread included), in MiB.
 * VmHWM, not getrusage's maxRSS: Linux carries maxRSS over fork + exec, so a child would report
 * at least the parent's resident memory at spawn time (the parent builds the model in JS and
 * reads its shapes), whereas VmHWM belongs to the child's own address space.
 */
function peakRssMb(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]) / 1024;
  } catch {
    // not Linux: fall back to getrusage
  }
  return process.resourceUsage().maxRSS / 1024;
}
const MIB = 1024 * 1024;

async function runEngine(dir: string, concurrency: number): Promise<Measurement> {
  const engine = await TextEngine.start({ modelDir: dir, threads: THREADS, maxBatchSize: 16 });
  await engine.generate({ prompt: PROMPTS[0], maxNewTokens: 4 }); // warm-up
  const rounds = concurrency === 1 ? 4 : concurrency === 4 ? 2 : 1;
  const start = performance.now();
  let tokens = 0;
  let sample = '';
  const sampleIds: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // Round r continues through PROMPTS, so one request at a time runs the same four prompts as the bare loop.
    const results = await Promise.all(
      Array.from({ length: concurrency }, (_, i) =>
        engine.generate(
          { prompt: PROMPTS[(r * concurrency + i) % PROMPTS.length], maxNewTokens: NEW_TOKENS, ignoreEos: true },
          r === 0 && i === 0 ? { onToken: (t) => t.tokenId >= 0 && sampleIds.push(t.tokenId) } : {},
        ),
      ),
    );
    tokens += results.reduce((n, x) => n + x.outputTokens, 0);
    if (r === 0) sample = results[0].text;
  }
  const seconds = (performance.now() - start) / 1000;
  await engine.close();
  return { tokens, seconds, peakRssMb: peakRssMb(), sample, sampleIds };
}

async function runTransformers(dir: string, concurrency: number): Promise<Measurement> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const t = require('@huggingface/transformers');
  t.env.allowRemoteModels = false;
  t.env.localModelPath = dirname(dirname(dir)) + '/';
  const id = `${basename(dirname(dir))}/${basename(dir)}`;
  const pipe = await t.pipeline('text-generation', id, { dtype: 'fp32', device: 'cpu', session_options: { intraOpNumThreads: THREADS } });
  await pipe(PROMPTS[0], { max_new_tokens: 4, do_sample: false });
  const start = performance.now();
  let tokens = 0;
  let sample = '';
  // The pipeline serves one request at a time: `concurrency` requests queue behind each other.
  const queue = Array.from({ length: concurrency === 1 ? 2 : concurrency === 4 ? 4 : 8 }, (_, i) => PROMPTS[i % PROMPTS.length]);
  for (const prompt of queue) {
    const out = await pipe(prompt, { max_new_tokens: NEW_TOKENS, min_new_tokens: NEW_TOKENS, do_sample: false, return_full_text: false });
    tokens += NEW_TOKENS;
    sample ||= out[0].generated_text;
  }
  const seconds = (performance.now() - start) / 1000;
  return { tokens, seconds, peakRssMb: peakRssMb(), sample };
}

async function runBareLoop(dir: string): Promise<Measurement> {
  const session = await ort.InferenceSession.create(join(dir, 'onnx', 'model.onnx'), {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: THREADS,
    interOpNumThreads: 1,
  });
  const tokenizer = new TextTokenizer(dir);
  const layers = session.inputNames.filter((n) => n.startsWith('past_key_values.')).length / 2;
  const meta = (session as unknown as { inputMetadata: { name: string; type: string; shape: (number | string)[] }[] }).inputMetadata;
  const cacheMeta = meta.find((m) => m.name === 'past_key_values.0.key')!;
  const [heads, headDim] = [cacheMeta.shape[1] as number, cacheMeta.shape[3] as number];
  const fp16Cache = cacheMeta.type === 'float16';
  const i64 = (v: number[], dims: number[]) =>
    new ort.Tensor(
      'int64',
      BigInt64Array.from(v, (x) => BigInt(x)),
      dims,
    );
  const half = (h: number) => {
    const e = (h >> 10) & 31;
    const m = (h & 1023) / 1024;
    const v = e === 0 ? m * 2 ** -14 : e === 31 ? Infinity : (1 + m) * 2 ** (e - 15);
    return h & 0x8000 ? -v : v;
  };
  const generate = async (prompt: string) => {
    let ids = tokenizer.encode(prompt);
    let past: Record<string, ort.Tensor> = {};
    for (let l = 0; l < layers; l++) {
      for (const k of ['key', 'value'])
        past[`past_key_values.${l}.${k}`] = fp16Cache
          ? new ort.Tensor('float16', new Uint16Array(0), [1, heads, 0, headDim])
          : new ort.Tensor('float32', new Float32Array(0), [1, heads, 0, headDim]);
    }
    let length = 0;
    const out: number[] = [];
    for (let step = 0; step < NEW_TOKENS; step++) {
      const n = ids.length;
      const res = await session.run({
        input_ids: i64(ids, [1, n]),
        attention_mask: i64(new Array(length + n).fill(1), [1, length + n]),
        position_ids: i64(
          ids.map((_, i) => length + i),
          [1, n],
        ),
        ...past,
      });
      const vocab = res.logits.dims[2];
      const at =
        res.logits.type === 'float16'
          ? (v: number) => half((res.logits.data as Uint16Array)[(n - 1) * vocab + v])
          : (v: number) => (res.logits.data as Float32Array)[(n - 1) * vocab + v];
      let best = 0;
      for (let v = 1; v < vocab; v++) if (at(v) > at(best)) best = v;
      out.push(best);
      length += n;
      ids = [best];
      past = {};
      for (let l = 0; l < layers; l++) {
        for (const k of ['key', 'value']) past[`past_key_values.${l}.${k}`] = res[`present.${l}.${k}`];
      }
    }
    return out;
  };
  await generate(PROMPTS[0].slice(0, 10));
  const start = performance.now();
  let sample = '';
  let sampleIds: number[] = [];
  for (let i = 0; i < 4; i++) {
    const ids = await generate(PROMPTS[i % PROMPTS.length]);
    if (i === 0) [sample, sampleIds] = [tokenizer.decode(ids), ids];
  }
  return { tokens: 4 * NEW_TOKENS, seconds: (performance.now() - start) / 1000, peakRssMb: peakRssMb(), sample, sampleIds };
}

/**
 * MiB of KV cache that `concurrency` requests hold at their end: for request i (prompt
 * PROMPTS[i % 4]), layers × 2 (key, value) × kv heads × (prompt tokens + NEW_TOKENS) × head dim ×
 * element size, with heads, head dim and dtype read from the model's past_key_values inputs.
 */
async function kvCacheMb(dir: string): Promise<(concurrency: number) => number> {
  const session = await ort.InferenceSession.create(join(dir, 'onnx', 'model.onnx'), { executionProviders: ['cpu'] });
  const meta = (session as unknown as { inputMetadata: { name: string; type?: string; shape: (number | string)[] }[] }).inputMetadata;
  const caches = meta.filter((m) => m.name.startsWith('past_key_values.'));
  const elementBytes = caches[0].type === 'float16' ? 2 : 4;
  const perPosition = caches.reduce((n, m) => n + (m.shape[1] as number) * (m.shape[3] as number) * elementBytes, 0);
  await session.release();
  const tokenizer = new TextTokenizer(dir);
  const promptTokens = PROMPTS.map((p) => tokenizer.encode(p).length);
  return (concurrency) => {
    let positions = 0;
    for (let i = 0; i < concurrency; i++) positions += promptTokens[i % PROMPTS.length] + NEW_TOKENS;
    return (positions * perPosition) / MIB;
  };
}

function child(mode: string, dir: string, concurrency: number): Measurement {
  const out = execFileSync(
    process.execPath,
    [
      ...process.execArgv,
      __filename,
      '--child',
      mode,
      '--dir',
      dir,
      '--concurrency',
      String(concurrency),
      '--tokens',
      String(NEW_TOKENS),
      '--threads',
      String(THREADS),
    ],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!) as Measurement;
}

/** Whether the engine's greedy ids for the first prompt are the bare loop's. */
function sameIds(engine: Measurement, bare: Measurement): string {
  const a = engine.sampleIds ?? [];
  const b = bare.sampleIds ?? [];
  const at = a.findIndex((id, i) => id !== b[i]);
  if (a.length === 0 || a.length !== b.length || at >= 0)
    return `engine and bare loop greedy ids DIFFER (at token ${at >= 0 ? at : Math.min(a.length, b.length)} of ${b.length})`;
  return `engine and bare loop greedy ids are equal (${a.length} tokens)`;
}

async function main(): Promise<void> {
  if (args.includes('--child')) {
    const mode = opt('child', '');
    const dir = opt('dir', '');
    const concurrency = Number(opt('concurrency', '1'));
    const m =
      mode === 'engine'
        ? await runEngine(dir, concurrency)
        : mode === 'transformers'
          ? await runTransformers(dir, concurrency)
          : await runBareLoop(dir);
    console.log(JSON.stringify(m));
    process.exit(0);
  }
  const modelDir = opt('model-dir', join(mkdtempSync(join(tmpdir(), 'bench-text-')), 'brandwright', 'tiny-bench'));
  if (!existsSync(join(modelDir, 'onnx', 'model.onnx'))) {
    const info = buildTinyTextModel({ dir: modelDir, size: 'bench', suppressEos: true, name: 'brandwright/tiny-bench' });
    console.log(`built bench model: ${(info.parameters / 1e6).toFixed(1)}M parameters, vocab ${info.vocabSize}`);
  }
  const weightsMb = Number(execFileSync('du', ['-sb', join(modelDir, 'onnx')], { encoding: 'utf8' }).split('\t')[0]) / MIB;
  const kvMbFor = await kvCacheMb(modelDir);
  console.log(`model ${modelDir} (${weightsMb.toFixed(0)} MiB of weights), ${NEW_TOKENS} new tokens per request, ${THREADS} threads`);

  const bare = child('bare', modelDir, 1);
  const tps = (m: Measurement) => m.tokens / m.seconds;
  console.log(`bare onnxruntime-node greedy loop, 1 request:  ${tps(bare).toFixed(1)} tokens/s, peak RSS ${bare.peakRssMb.toFixed(0)} MiB`);
  for (const concurrency of [1, 4, 16]) {
    const engine = child('engine', modelDir, concurrency);
    const tfjs = child('transformers', modelDir, concurrency);
    if (concurrency === 1) console.log(`  ${sameIds(engine, bare)}`);
    const kvMb = kvMbFor(concurrency);
    console.log(
      `${String(concurrency).padStart(2)} concurrent: engine ${tps(engine).toFixed(1)} tokens/s (RSS ${engine.peakRssMb.toFixed(0)} MiB, budget ${(weightsMb + kvMb + 300).toFixed(0)} MiB = weights + KV ${kvMb.toFixed(1)} + 300)` +
        ` | transformers.js pipeline ${tps(tfjs).toFixed(1)} tokens/s (RSS ${tfjs.peakRssMb.toFixed(0)} MiB)` +
        ` | engine/transformers.js ${(tps(engine) / tps(tfjs)).toFixed(2)}x | engine/bare loop ${(tps(engine) / tps(bare)).toFixed(2)}x`,
    );
  }

  // The same weights exported with a float16 cache and float16 logits (what CUDA exports use).
  const fp16Dir = join(dirname(modelDir), `${basename(modelDir)}-fp16`);
  if (!existsSync(join(fp16Dir, 'onnx', 'model.onnx')))
    buildTinyTextModel({
      dir: fp16Dir,
      size: 'bench',
      suppressEos: true,
      cacheType: 'float16',
      logitsType: 'float16',
      name: 'brandwright/tiny-bench-fp16',
    });
  const fp16 = child('engine', fp16Dir, 4);
  const fp16Bare = child('bare', fp16Dir, 1);
  console.log(
    ` 4 concurrent, fp16 cache + logits: engine ${tps(fp16).toFixed(1)} tokens/s (RSS ${fp16.peakRssMb.toFixed(0)} MiB) | bare loop 1 request ${tps(fp16Bare).toFixed(1)} tokens/s | ${sameIds(fp16, fp16Bare)}`,
  );
}

void main();
