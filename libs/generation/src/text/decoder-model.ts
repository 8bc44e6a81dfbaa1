/**
 * A loaded decoder: ONNX Runtime session, tokenizer, signature and the per-token facts the
 * sampler needs. `forward` turns plain arrays into the model's feeds (in the dtypes its signature
 * asks for) and returns logits plus the new cache.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { TextTokenizer } from './text-tokenizer';
import { readDecoderSignature, type DecoderSignature } from './model-signature';
import { GenerationError, GenerationErrorCode } from './generation-error';
import { readModelJson, type ModelConfig, type StoredModel } from '../models/model-store';
import type { CacheArray, KvBlock } from './kv-cache';
import { createSessionOptions, type ExecutionProviderChoice } from '../runtime/execution-provider';

export interface DecoderModelOptions {
  executionProvider?: ExecutionProviderChoice;
  /** Intra-op threads for ONNX Runtime (default: its own choice). */
  threads?: number;
  log?: (message: string) => void;
}

export interface ForwardOutput {
  logits: Float32Array;
  vocab: number;
  cache: KvBlock;
}

export class DecoderModel {
  readonly eosIds: Set<number>;
  readonly padId: number;
  /** Visible length of each token decoded alone, trimmed: a lower bound of what it adds to text. */
  readonly pieceLengths: Uint16Array;
  readonly makeCache: (n: number) => CacheArray;

  private constructor(
    readonly id: string,
    readonly isDemo: boolean,
    readonly session: ort.InferenceSession,
    readonly tokenizer: TextTokenizer,
    readonly signature: DecoderSignature,
    readonly executionProvider: string,
    config: ModelConfig,
    generationConfig: { eos_token_id?: number | number[]; pad_token_id?: number } | null,
  ) {
    const eos = [config.eos_token_id, generationConfig?.eos_token_id].flat().filter((x): x is number => typeof x === 'number');
    this.eosIds = new Set(eos);
    this.padId = generationConfig?.pad_token_id ?? (config.pad_token_id as number | undefined) ?? eos[0] ?? 0;
    const vocab = signature.vocabSize || tokenizer.vocabSize;
    this.pieceLengths = new Uint16Array(vocab);
    for (let id = 0; id < vocab; id++) this.pieceLengths[id] = tokenizer.decode([id]).replace(/\uFFFD/g, '').trim().length;
    this.makeCache = signature.cacheType === 'float16' ? (n) => new Uint16Array(n) : (n) => new Float32Array(n);
  }

  static async load(model: StoredModel, options: DecoderModelOptions = {}): Promise<DecoderModel> {
    const file = join(model.dir, 'onnx', 'model.onnx');
    if (!existsSync(file)) throw new GenerationError(GenerationErrorCode.MODEL_INVALID, `${model.id} has no onnx/model.onnx`, 'model');
    const config = readModelJson<ModelConfig>(model.dir, 'config.json')!;
    const generationConfig = readModelJson<{ eos_token_id?: number | number[]; pad_token_id?: number }>(model.dir, 'generation_config.json', true);
    const tokenizer = new TextTokenizer(model.dir);
    const { options: sessionOptions, provider } = createSessionOptions(options.executionProvider ?? 'auto', options.threads, options.log);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(file, sessionOptions);
    } catch (error) {
      if (provider !== 'cpu') {
        options.log?.(`execution provider ${provider} failed (${(error as Error).message.split('\n')[0]}); using cpu`);
        return DecoderModel.load(model, { ...options, executionProvider: 'cpu' });
      }
      throw new GenerationError(GenerationErrorCode.MODEL_INVALID, `${model.id}: ONNX Runtime cannot load onnx/model.onnx: ${(error as Error).message.split('\n')[0]}`, 'model');
    }
    options.log?.(`text model ${model.id} loaded on ${provider}`);
    const signature = readDecoderSignature(session, config);
    const configPath = join(model.dir, 'config.json');
    const isDemo = JSON.parse(readFileSync(configPath, 'utf8'))?.brandwright?.demo === true;
    return new DecoderModel(model.id, isDemo, session, tokenizer, signature, provider, config, generationConfig);
  }

  async forward(ids: number[], mask: number[], positions: number[], batch: number, length: number, cache: KvBlock): Promise<ForwardOutput> {
    const s = this.signature;
    const idTensor = (values: number[], dims: number[]) =>
      s.idType === 'int64'
        ? new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), dims)
        : new ort.Tensor('int32', Int32Array.from(values), dims);
    const feeds: Record<string, ort.Tensor> = {
      input_ids: idTensor(ids, [batch, length]),
      attention_mask: idTensor(mask, [batch, cache.length + length]),
    };
    if (s.hasPositionIds) feeds.position_ids = idTensor(positions, [batch, length]);
    s.pastNames.forEach((names, l) => {
      for (const [k, name] of [names.key, names.value].entries()) {
        const data = cache.tensors[2 * l + k] ?? this.makeCache(0);
        feeds[name] = new ort.Tensor(s.cacheType, data, [batch, s.kvHeads, cache.length, s.headDim]);
      }
    });
    const out = await this.session.run(feeds);
    const logitsTensor = out.logits;
    const vocab = logitsTensor.dims[logitsTensor.dims.length - 1];
    const tensors: CacheArray[] = [];
    for (const names of s.presentNames) {
      tensors.push(out[names.key].data as CacheArray, out[names.value].data as CacheArray);
    }
    return { logits: logitsTensor.data as Float32Array, vocab, cache: { tensors, batch, length: cache.length + length } };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
