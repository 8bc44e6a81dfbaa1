/**
 * A loaded decoder: ONNX Runtime session, tokenizer, signature and the per-token facts the
 * sampler needs. `forward` wraps the scheduler's reused arrays as the model's feeds (views, no
 * copies) and returns logits plus the new cache.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { TextTokenizer } from './text-tokenizer';
import { readDecoderSignature, type DecoderSignature } from './model-signature';
import { GenerationError, GenerationErrorCode } from './generation-error';
import { readModelJson, type ModelConfig, type StoredModel } from '../models/model-store';
import type { CacheArray } from './kv-cache';
import { createSessionOptions, type ExecutionProviderChoice } from '../runtime/execution-provider';
import { addCacheSliceOutputs, type CacheSliceNames } from './cache-slice-outputs';

export interface DecoderModelOptions {
  executionProvider?: ExecutionProviderChoice;
  /** Intra-op threads for ONNX Runtime (default: its own choice). */
  threads?: number;
  log?: (message: string) => void;
}

/** Ids, mask and positions in the model's id dtype. */
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
    const signature = readDecoderSignature(session, config);
    const configPath = join(model.dir, 'config.json');
    const isDemo = JSON.parse(readFileSync(configPath, 'utf8'))?.brandwright?.demo === true;
    if (cacheSlices && cacheSlices.length !== signature.layers) cacheSlices = null;
    return new DecoderModel(model.id, isDemo, session, tokenizer, signature, provider, cacheSlices, config, generationConfig);
  }

  /**
   * One forward pass. `ids`, `positions` are [batch, length], `mask` is [batch, pastLength + length]
   * (already in the id dtype: the scheduler fills reused arrays). `past` are views of the cache
   * ([batch, heads, pastLength, head_dim]); when `present` buffers are given, ORT writes
   * `present.*` straight into them (pre-allocated outputs) and the returned cache is those buffers.
   */
  async forward(input: ForwardInput): Promise<ForwardOutput> {
    const s = this.signature;
    const { batch, length, pastLength } = input;
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor(s.idType, input.ids, [batch, length]),
      attention_mask: new ort.Tensor(s.idType, input.mask, [batch, pastLength + length]),
    };
    if (s.hasPositionIds) feeds.position_ids = new ort.Tensor(s.idType, input.positions, [batch, length]);
    const fetches: Record<string, ort.Tensor | null> = { logits: null };
    const pastDims = [batch, s.kvHeads, pastLength, s.headDim];
    const presentDims = [batch, s.kvHeads, pastLength + length, s.headDim];
    s.pastNames.forEach((names, l) => {
      for (const [k, name] of [names.key, names.value].entries()) {
        feeds[name] = new ort.Tensor(s.cacheType, input.past[2 * l + k] ?? this.makeCache(0), pastDims);
      }
    });
    const sliced = !input.present && this.cacheSlices !== null;
    const fetchNames = sliced ? this.cacheSlices! : s.presentNames;
    if (!sliced) {
      s.presentNames.forEach((names, l) => {
        for (const [k, name] of [names.key, names.value].entries()) {
          fetches[name] = input.present ? new ort.Tensor(s.cacheType, input.present[2 * l + k], presentDims) : null;
        }
      });
    } else {
      // Only the new positions: ORT allocates these small outputs; present.* stays internal.
      for (const names of fetchNames) fetches[names.key] = fetches[names.value] = null;
    }
    const out = await this.session.run(feeds, fetches);
    const logitsTensor = out.logits;
    const vocab = logitsTensor.dims[logitsTensor.dims.length - 1];
    // With pre-allocated outputs the binding still hands back copies; they are dropped here, unread.
    const present: CacheArray[] =
      input.present ?? fetchNames.flatMap((names) => [out[names.key].data as CacheArray, out[names.value].data as CacheArray]);
    return { logits: logitsTensor.data as Float32Array, vocab, present, sliced };
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
