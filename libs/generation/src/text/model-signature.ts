/**
 * What a decoder's ONNX signature says about how to feed it: id dtype, cache dtype and the
 * KV-cache layout, read from the session's input metadata first and config.json second, so any
 * Optimum-style export runs without per-model code.
 */
import type { InferenceSession } from 'onnxruntime-node';
import { GenerationError, GenerationErrorCode } from './generation-error';
import type { ModelConfig } from '../models/model-store';

export type IdType = 'int64' | 'int32';
export type CacheType = 'float32' | 'float16';

export interface DecoderSignature {
  idType: IdType;
  cacheType: CacheType;
  layers: number;
  /** Key/value heads (may be fewer than query heads with grouped-query attention). */
  kvHeads: number;
  headDim: number;
  vocabSize: number;
  contextLength: number;
  hasPositionIds: boolean;
  /** Cache input names in layer order: past_key_values.N.key / .value. */
  pastNames: { key: string; value: string }[];
  presentNames: { key: string; value: string }[];
}

interface InputMeta {
  name: string;
  isTensor?: boolean;
  type?: string;
  shape?: readonly (number | string)[];
}

export function readDecoderSignature(session: InferenceSession, config: ModelConfig): DecoderSignature {
  const metadata = ((session as unknown as { inputMetadata?: InputMeta[] }).inputMetadata ?? []) as InputMeta[];
  const byName = new Map(metadata.map((m) => [m.name, m]));
  const invalid = (why: string) => new GenerationError(GenerationErrorCode.MODEL_INVALID, `not a decoder with past: ${why}`, 'model');
  const ids = byName.get('input_ids');
  if (!ids || !session.inputNames.includes('attention_mask')) throw invalid('it needs input_ids and attention_mask inputs');
  const idType = (ids.type ?? 'int64') as IdType;
  if (idType !== 'int64' && idType !== 'int32') throw invalid(`input_ids is ${ids.type}`);

  const pastNames: DecoderSignature['pastNames'] = [];
  for (let l = 0; byName.has(`past_key_values.${l}.key`); l++) {
    pastNames.push({ key: `past_key_values.${l}.key`, value: `past_key_values.${l}.value` });
  }
  if (pastNames.length === 0) throw invalid('it has no past_key_values.N.key inputs (export with --task text-generation-with-past)');
  const first = byName.get(pastNames[0].key)!;
  const cacheType = (first.type ?? 'float32') as CacheType;
  if (cacheType !== 'float32' && cacheType !== 'float16') throw invalid(`cache dtype ${first.type} is not supported`);

  const shape = first.shape ?? [];
  const fromConfig = {
    kvHeads: config.num_key_value_heads ?? config.num_attention_heads ?? config.n_head,
    headDim: config.head_dim ?? (config.hidden_size ?? config.n_embd ?? 0) / (config.num_attention_heads ?? config.n_head ?? 1),
  };
  const kvHeads = typeof shape[1] === 'number' ? shape[1] : fromConfig.kvHeads;
  const headDim = typeof shape[3] === 'number' ? shape[3] : fromConfig.headDim;
  if (!kvHeads || !headDim || !Number.isInteger(headDim))
    throw invalid('cache heads / head dim are neither in the signature nor in config.json');

  return {
    idType,
    cacheType,
    layers: pastNames.length,
    kvHeads,
    headDim,
    vocabSize: config.vocab_size ?? 0,
    contextLength: config.max_position_embeddings ?? config.n_positions ?? 2048,
    hasPositionIds: session.inputNames.includes('position_ids'),
    pastNames,
    presentNames: pastNames.map((_, l) => ({ key: `present.${l}.key`, value: `present.${l}.value` })),
  };
}
