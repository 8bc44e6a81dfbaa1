/**
 * Writes a tiny random-weight Stable Diffusion pipeline in the diffusers / Optimum ONNX layout,
 * with exactly the signatures of Optimum's SD 1.x exports, for tests, benchmarks and first runs:
 *
 *   model_index.json, scheduler/scheduler_config.json, vae_decoder/config.json
 *   tokenizer/       vocab.json + merges.txt + tokenizer_config.json (CLIP BPE, `</w>` suffix)
 *   text_encoder/    input_ids int32 [batch_size, sequence_length]
 *                    → last_hidden_state float32 [batch_size, sequence_length, hidden]
 *                    → pooler_output float32 [batch_size, hidden]
 *   unet/            sample float32 [batch_size, num_channels, height, width]
 *                    timestep int64 [steps]
 *                    encoder_hidden_states float32 [batch_size, sequence_length, hidden]
 *                    → out_sample float32 [batch_size, num_channels, height, width]
 *   vae_decoder/     latent_sample float32 [batch_size, num_channels_latent, height_latent, width_latent]
 *                    → sample float32 [batch_size, num_channels, height, width]
 *
 * The networks are small convolution stacks, not real diffusion models: pictures are abstract
 * noise fields, but every tensor flows exactly as through a real pipeline (CFG batch of 2,
 * timestep broadcast, 8× VAE upsampling). model_index.json carries `brandwright.demo: true`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OnnxGraph, writeOnnxModel, type OnnxDataType } from './onnx-builder';
import { bytesToUnicode } from './tiny-tokenizer';
import { seededRandom } from '../runtime/seeded-random';

export const TINY_DIFFUSION_ID = 'brandwright/tiny-diffusion';

export type TinyDiffusionSize = 'test' | 'bench';

export interface TinyDiffusionOptions {
  dir: string;
  /** 'test': a few thousand weights; 'bench': a UNet heavy enough (~0.6 GFLOP/step at 512²) to time. */
  size?: TinyDiffusionSize;
  seed?: number;
  /** Optimum exports use int64; the older diffusers ONNX exports used float32. */
  timestepType?: Extract<OnnxDataType, 'int64' | 'float32'>;
  name?: string;
}

export interface TinyDiffusionInfo {
  dir: string;
  parameters: number;
}

const SIZES: Record<TinyDiffusionSize, { hidden: number; unetChannels: number; unetBlocks: number }> = {
  test: { hidden: 32, unetChannels: 8, unetBlocks: 1 },
  bench: { hidden: 64, unetChannels: 64, unetBlocks: 2 },
};

const LATENT_CHANNELS = 4;
const MAX_POSITIONS = 77;

const WORDS =
  'a photo of the product on a table in soft light, studio, bright colours, summer beach, city at night, ' +
  'minimal background, abstract shapes, brand poster, coffee cup, running shoes, mountain landscape, sunset sky, ' +
  'clean modern design, high quality, detailed, vibrant, blurry, low quality, watermark, text, logo';

/** A CLIP-format BPE vocabulary trained on a few prompt words: 512 byte symbols, merges, specials. */
export function buildTinyClipTokenizer(mergeCount = 120): { vocab: Record<string, number>; merges: string[] } {
  const byteChar = bytesToUnicode();
  const vocab: Record<string, number> = {};
  for (const ch of byteChar) vocab[ch] = Object.keys(vocab).length;
  for (const ch of byteChar) vocab[`${ch}</w>`] = Object.keys(vocab).length;
  const counts = new Map<string, number>();
  for (const word of WORDS.toLowerCase().match(/[\p{L}]+/gu) ?? []) counts.set(word, (counts.get(word) ?? 0) + 1);
  const words = [...counts].map(([w, count]) => {
    const symbols = Array.from(Buffer.from(w, 'utf8'), (b) => byteChar[b]);
    symbols[symbols.length - 1] += '</w>';
    return { symbols, count };
  });
  const merges: string[] = [];
  while (merges.length < mergeCount) {
    const pairs = new Map<string, number>();
    for (const { symbols, count } of words) {
      for (let i = 0; i < symbols.length - 1; i++) {
        const key = `${symbols[i]} ${symbols[i + 1]}`;
        pairs.set(key, (pairs.get(key) ?? 0) + count);
      }
    }
    let best = '';
    let bestCount = 0;
    for (const [key, count] of pairs) if (count > bestCount || (count === bestCount && key < best)) [best, bestCount] = [key, count];
    if (!best) break;
    merges.push(best);
    const [l, r] = best.split(' ');
    vocab[l + r] = Object.keys(vocab).length;
    for (const word of words) {
      const out: string[] = [];
      for (let i = 0; i < word.symbols.length; i++) {
        if (i < word.symbols.length - 1 && word.symbols[i] === l && word.symbols[i + 1] === r) {
          out.push(l + r);
          i++;
        } else out.push(word.symbols[i]);
      }
      word.symbols = out;
    }
  }
  vocab['<|startoftext|>'] = Object.keys(vocab).length;
  vocab['<|endoftext|>'] = Object.keys(vocab).length;
  return { vocab, merges };
}

function writeJson(path: string, value: unknown): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
}

export function buildTinyDiffusionModel(options: TinyDiffusionOptions): TinyDiffusionInfo {
  const dims = SIZES[options.size ?? 'test'];
  const random = seededRandom(options.seed ?? 7);
  const uniform = (n: number, scale: number) => Float32Array.from({ length: n }, () => (random() * 2 - 1) * scale);
  const dir = options.dir;
  const D = dims.hidden;
  let parameters = 0;

  // Tokenizer (the slow-tokenizer files diffusers repos ship).
  const { vocab, merges } = buildTinyClipTokenizer();
  const V = Object.keys(vocab).length;
  writeJson(join(dir, 'tokenizer', 'vocab.json'), vocab);
  writeFileSync(join(dir, 'tokenizer', 'merges.txt'), ['#version: 0.2', ...merges].join('\n') + '\n');
  writeJson(join(dir, 'tokenizer', 'tokenizer_config.json'), {
    tokenizer_class: 'CLIPTokenizer',
    model_max_length: MAX_POSITIONS,
    bos_token: '<|startoftext|>',
    eos_token: '<|endoftext|>',
    pad_token: '<|endoftext|>',
    unk_token: '<|endoftext|>',
    do_lower_case: true,
  });
  writeJson(join(dir, 'tokenizer', 'special_tokens_map.json'), {
    bos_token: '<|startoftext|>',
    eos_token: '<|endoftext|>',
    pad_token: '<|endoftext|>',
    unk_token: '<|endoftext|>',
  });

  // Text encoder: token + position embeddings, one projection.
  {
    const g = new OnnxGraph('text_encoder');
    g.input('input_ids', 'int32', ['batch_size', 'sequence_length']);
    g.initializer('token_embedding', 'float32', [V, D], uniform(V * D, 1));
    g.initializer('position_embedding', 'float32', [MAX_POSITIONS, D], uniform(MAX_POSITIONS * D, 0.5));
    g.initializer('proj', 'float32', [D, D], uniform(D * D, 1 / Math.sqrt(D)));
    const tokens = g.op('Gather', ['token_embedding', 'input_ids'], { axis: 0 });
    const seqLen = g.op('Shape', ['input_ids'], { start: 1, end: 2 });
    const positions = g.op('Slice', ['position_embedding', g.constant('int64', [1], [0]), seqLen, g.constant('int64', [1], [0])]);
    const summed = g.op('Add', [tokens, positions]);
    g.node('Tanh', [g.op('MatMul', [summed, 'proj'])], ['last_hidden_state']);
    g.node('ReduceMean', ['last_hidden_state'], ['pooler_output'], { axes: [1], keepdims: 0 });
    g.output('last_hidden_state', 'float32', ['batch_size', 'sequence_length', D]);
    g.output('pooler_output', 'float32', ['batch_size', D]);
    parameters += g.parameterCount();
    writeOnnxModel(join(dir, 'text_encoder', 'model.onnx'), g, { opset: 17 });
  }

  // UNet: conv stack on the latent, plus text and timestep conditioning as per-channel shifts.
  {
    const C = dims.unetChannels;
    const timestepType = options.timestepType ?? 'int64';
    const g = new OnnxGraph('unet');
    g.input('sample', 'float32', ['batch_size', 'num_channels', 'height', 'width']);
    g.input('timestep', timestepType, ['steps']);
    g.input('encoder_hidden_states', 'float32', ['batch_size', 'sequence_length', D]);
    const conv = (x: string, cin: number, cout: number, k: number) => {
      const w = g.initializer(
        g.uniqueName('conv_w'),
        'float32',
        [cout, cin, k, k],
        uniform(cout * cin * k * k, 1 / Math.sqrt(cin * k * k)),
      );
      const b = g.initializer(g.uniqueName('conv_b'), 'float32', [cout], uniform(cout, 0.05));
      return g.op('Conv', [x, w, b], { pads: [k >> 1, k >> 1, k >> 1, k >> 1] });
    };
    const silu = (x: string) => g.op('Mul', [x, g.op('Sigmoid', [x])]);
    // Text: mean over tokens → channel shift [batch, C, 1, 1].
    const ctx = g.op('ReduceMean', ['encoder_hidden_states'], { axes: [1], keepdims: 0 });
    const ctxW = g.initializer('ctx_proj', 'float32', [D, C], uniform(D * C, 1 / Math.sqrt(D)));
    const shape4 = g.constant('int64', [4], [-1, C, 1, 1]);
    const textShift = g.op('Reshape', [g.op('MatMul', [ctx, ctxW]), shape4]);
    // Timestep: sinusoidal features → channel shift [steps, C, 1, 1] (broadcasts over the batch).
    const t = g.op('Cast', ['timestep'], { to: 1 });
    const freqs = g.initializer(
      't_freqs',
      'float32',
      [1, 8],
      Float32Array.from({ length: 8 }, (_, i) => 1 / 10000 ** (i / 8)),
    );
    const tFeat = g.op('Sin', [g.op('Mul', [g.op('Unsqueeze', [t, g.constant('int64', [1], [1])]), freqs])]);
    const tW = g.initializer('t_proj', 'float32', [8, C], uniform(8 * C, 0.5));
    const timeShift = g.op('Reshape', [g.op('MatMul', [tFeat, tW]), shape4]);

    let h = g.op('Add', [g.op('Add', [conv('sample', LATENT_CHANNELS, C, 3), textShift]), timeShift]);
    for (let i = 0; i < dims.unetBlocks; i++) h = g.op('Add', [h, conv(silu(h), C, C, 3)]);
    g.node('Tanh', [conv(silu(h), C, LATENT_CHANNELS, 3)], ['out_sample']);
    g.output('out_sample', 'float32', ['batch_size', 'num_channels', 'height', 'width']);
    parameters += g.parameterCount();
    writeOnnxModel(join(dir, 'unet', 'model.onnx'), g, { opset: 17 });
  }

  // VAE decoder: 8× bilinear upsampling, a colour mix and a texture conv.
  {
    const g = new OnnxGraph('vae_decoder');
    g.input('latent_sample', 'float32', ['batch_size', 'num_channels_latent', 'height_latent', 'width_latent']);
    const scales = g.constant('float32', [4], [1, 1, 8, 8]);
    const up = g.op('Resize', ['latent_sample', '', scales], { mode: 'linear' });
    const mixW = g.initializer('mix_w', 'float32', [3, LATENT_CHANNELS, 1, 1], uniform(3 * LATENT_CHANNELS, 0.15));
    const texW = g.initializer('tex_w', 'float32', [3, 3, 3, 3], uniform(81, 0.15));
    const mixed = g.op('Conv', [up, mixW]);
    const textured = g.op('Add', [mixed, g.op('Conv', [mixed, texW], { pads: [1, 1, 1, 1] })]);
    g.node('Tanh', [textured], ['sample']);
    g.output('sample', 'float32', ['batch_size', 'num_channels', 'height', 'width']);
    parameters += g.parameterCount();
    writeOnnxModel(join(dir, 'vae_decoder', 'model.onnx'), g, { opset: 17 });
  }

  writeJson(join(dir, 'scheduler', 'scheduler_config.json'), {
    _class_name: 'EulerDiscreteScheduler',
    _diffusers_version: '0.30.0',
    beta_start: 0.00085,
    beta_end: 0.012,
    beta_schedule: 'scaled_linear',
    num_train_timesteps: 1000,
    prediction_type: 'epsilon',
    timestep_spacing: 'leading',
    steps_offset: 1,
    set_alpha_to_one: false,
    clip_sample: false,
  });
  writeJson(join(dir, 'vae_decoder', 'config.json'), {
    _class_name: 'AutoencoderKL',
    latent_channels: LATENT_CHANNELS,
    block_out_channels: [8, 8, 8, 8],
    scaling_factor: 0.18215,
  });
  writeJson(join(dir, 'model_index.json'), {
    _class_name: 'ORTStableDiffusionPipeline',
    _diffusers_version: '0.30.0',
    _name_or_path: options.name ?? TINY_DIFFUSION_ID,
    brandwright: { demo: true, size: options.size ?? 'test' },
    scheduler: ['diffusers', 'EulerDiscreteScheduler'],
    text_encoder: ['optimum', 'ORTModelTextEncoder'],
    tokenizer: ['transformers', 'CLIPTokenizer'],
    unet: ['optimum', 'ORTModelUnet'],
    vae_decoder: ['optimum', 'ORTModelVaeDecoder'],
  });
  return { dir, parameters };
}
