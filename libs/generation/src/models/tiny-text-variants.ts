/**
 * One tiny text model per decoder signature found in real exports, built with the same op types
 * those exports use. `npm run models -- build-tiny signatures` writes them all; the engine's
 * signature tests (text/export-signatures.spec.ts) run each one against an independent greedy loop.
 */
import { join } from 'node:path';
import { buildTinyTextModel, type TinyTextModelInfo, type TinyTextModelOptions } from './tiny-text-model';

export interface TinyTextVariant {
  /** Model id suffix: the model is `brandwright/tiny-sig-<name>`. */
  name: string;
  /** The export it stands for. */
  signature: string;
  options: Omit<TinyTextModelOptions, 'dir'>;
}

export const TINY_TEXT_VARIANTS: readonly TinyTextVariant[] = [
  { name: 'optimum', signature: 'Optimum, int64 ids/mask/positions, float32 cache and logits', options: {} },
  {
    name: 'int32-ids',
    signature: 'int32 input_ids with an int64 attention_mask and position_ids',
    options: { idType: 'int32', maskType: 'int64', positionType: 'int64' },
  },
  { name: 'fp16', signature: 'float16 KV cache and float16 logits', options: { cacheType: 'float16', logitsType: 'float16' } },
  { name: 'no-position-ids', signature: 'no position_ids input (positions from the mask, as OPT)', options: { positionIds: false } },
  {
    name: 'cache-position',
    signature: 'cache_position (causal mask from it) and a scalar num_logits_to_keep, as recent transformers exports',
    options: { cachePosition: true },
  },
  { name: 'stacked', signature: 'legacy stacked past_N / present_N [2, batch, heads, seq, head_dim]', options: { cacheLayout: 'stacked' } },
  { name: 'hybrid-numbering', signature: 'cache numbered from past_key_values.1 (hybrid exports)', options: { firstCacheLayer: 1 } },
  { name: 'matmulnbits', signature: 'int4 com.microsoft MatMulNBits weights', options: { weights: 'int4' } },
  {
    name: 'group-query',
    signature: 'fused com.microsoft GroupQueryAttention (rotary, 2 KV heads for 4), no position_ids',
    options: { attention: 'group-query' },
  },
  {
    name: 'multi-head',
    signature: 'fused com.microsoft MultiHeadAttention (cache appended inside, mask as attention_bias)',
    options: { attention: 'multi-head' },
  },
  { name: 'external-data', signature: 'weights in onnx/model.onnx_data beside model.onnx', options: { externalData: true } },
  {
    name: 'genai-builder',
    signature: 'onnxruntime-genai builder: MatMulNBits + GroupQueryAttention + external data',
    options: { weights: 'int4', attention: 'group-query', externalData: true },
  },
];

export const tinyVariantId = (variant: TinyTextVariant) => `brandwright/tiny-sig-${variant.name}`;

/** Builds every variant under `modelDir` (as `<modelDir>/brandwright/tiny-sig-<name>`). */
export function buildTinyTextVariants(
  modelDir: string,
  common: Omit<TinyTextModelOptions, 'dir'> = {},
): (TinyTextModelInfo & { variant: TinyTextVariant })[] {
  return TINY_TEXT_VARIANTS.map((variant) => {
    const name = tinyVariantId(variant);
    const info = buildTinyTextModel({ seed: 5, ...common, ...variant.options, name, dir: join(modelDir, name) });
    return { ...info, variant };
  });
}
