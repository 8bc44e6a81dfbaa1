/**
 * The model store: MODEL_DIR holds one folder per model in the Hugging Face layout, named like
 * its hub repo (`<owner>/<name>`). A text model folder has config.json, generation_config.json,
 * tokenizer.json, tokenizer_config.json and onnx/model.onnx (+ external data).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { GenerationError, GenerationErrorCode } from '../text/generation-error';
import { readGraphFacts } from '../text/cache-slice-outputs';

export const DEFAULT_MODEL_DIR = '.data/models';
/** The model `npm start` builds when none is installed. */
export const DEMO_MODEL_ID = 'brandwright/tiny-demo';
/** Present in a model folder while `models pull` writes it (and after a pull that failed). */
export const PULL_MARKER = '.brandwright-pull.json';

export interface StoredModel {
  id: string;
  dir: string;
  kind: 'text' | 'diffusion' | 'unknown';
  /** Built by `models build-tiny`: random weights, output is not real copy. */
  isDemo: boolean;
  sizeBytes: number;
  /**
   * False while a pull is writing it, after a pull that failed, or when a text model lacks
   * onnx/model.onnx: such a model is listed (so `models list` can say so) but never loaded.
   * Absent means complete (a model described by hand).
   */
  complete?: boolean;
}

export interface ModelConfig {
  model_type?: string;
  vocab_size?: number;
  n_positions?: number;
  max_position_embeddings?: number;
  num_attention_heads?: number;
  num_key_value_heads?: number;
  n_head?: number;
  num_hidden_layers?: number;
  n_layer?: number;
  hidden_size?: number;
  n_embd?: number;
  head_dim?: number;
  eos_token_id?: number | number[];
  brandwright?: { demo?: boolean };
  [key: string]: unknown;
}

function folderSize(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    total += st.isDirectory() ? folderSize(path) : st.size;
  }
  return total;
}

function describe(modelDir: string, dir: string): StoredModel | null {
  const kind = existsSync(join(dir, 'model_index.json'))
    ? 'diffusion'
    : existsSync(join(dir, 'config.json')) && existsSync(join(dir, 'onnx'))
      ? 'text'
      : null;
  if (!kind) return null;
  let isDemo = false;
  try {
    const file = kind === 'text' ? 'config.json' : 'model_index.json';
    const config = JSON.parse(readFileSync(join(dir, file), 'utf8')) as ModelConfig;
    isDemo = config.brandwright?.demo === true;
  } catch {
    /* listed anyway; loading it will say what is wrong */
  }
  const complete = !existsSync(join(dir, PULL_MARKER)) && (kind !== 'text' || existsSync(join(dir, 'onnx', 'model.onnx')));
  return { id: relative(modelDir, dir), dir, kind, isDemo, sizeBytes: folderSize(dir), complete };
}

/** Every model folder under MODEL_DIR (one or two levels deep: `name` or `owner/name`). */
export function listModels(modelDir: string = DEFAULT_MODEL_DIR): StoredModel[] {
  const root = resolve(modelDir);
  if (!existsSync(root)) return [];
  const found: StoredModel[] = [];
  for (const first of readdirSync(root)) {
    const dir = join(root, first);
    if (!statSync(dir).isDirectory()) continue;
    const model = describe(root, dir);
    if (model) {
      found.push(model);
      continue;
    }
    for (const second of readdirSync(dir)) {
      const sub = join(dir, second);
      if (!statSync(sub).isDirectory()) continue;
      const nested = describe(root, sub);
      if (nested) found.push(nested);
    }
  }
  return found.sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * Finds a text model by id, or takes `modelDir` itself when it is a model folder.
 * Throws MODEL_NOT_FOUND naming what was looked for.
 */
export function resolveTextModel(modelDir: string, modelId?: string): StoredModel {
  const root = resolve(modelDir);
  if (!modelId && existsSync(join(root, 'config.json'))) {
    const self = describe(root, root);
    if (self) return { ...self, id: readModelId(root) };
  }
  const models = listModels(root).filter((m) => m.kind === 'text');
  const usable = models.filter((m) => m.complete !== false);
  if (modelId && models.some((m) => m.id === modelId && m.complete === false)) {
    throw new GenerationError(
      GenerationErrorCode.MODEL_NOT_FOUND,
      `text model "${modelId}" is only partly pulled; run \`npm run models -- pull ${modelId}\` to finish it`,
      'model',
    );
  }
  // A real model before the random-weight demo, so a pulled model is used without TEXT_MODEL_ID.
  const model = modelId ? usable.find((m) => m.id === modelId) : (usable.find((m) => !m.isDemo) ?? usable[0]);
  if (!model) {
    throw new GenerationError(
      GenerationErrorCode.MODEL_NOT_FOUND,
      modelId
        ? `text model "${modelId}" is not installed in ${root}`
        : `no text model is installed in ${root}; run \`npm run models -- build-tiny\``,
      'model',
    );
  }
  return model;
}

function readModelId(dir: string): string {
  try {
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { _name_or_path?: string };
    if (config._name_or_path) return config._name_or_path;
  } catch {
    /* fall through */
  }
  return dir.split('/').slice(-2).join('/');
}

/** Reads a JSON file of a model folder; a missing or broken file is MODEL_INVALID. */
export function readModelJson<T>(dir: string, file: string, optional = false): T | null {
  const path = join(dir, file);
  if (!existsSync(path)) {
    if (optional) return null;
    throw new GenerationError(GenerationErrorCode.MODEL_INVALID, `model folder ${dir} has no ${file}`, 'model');
  }
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (error) {
    throw new GenerationError(GenerationErrorCode.MODEL_INVALID, `${path} is not valid JSON: ${(error as Error).message}`, 'model');
  }
}

/** What `models list` says about a text model's ONNX signature, read without loading the weights. */
export interface SignatureSummary {
  ids: string;
  cache: string;
  layout: string;
  context: number | null;
  /** Fused / quantized com.microsoft ops in the graph. */
  ops: string[];
}

const ELEM_TYPES: Record<number, string> = { 1: 'float32', 6: 'int32', 7: 'int64', 10: 'float16', 16: 'bfloat16' };

export function summarizeTextSignature(model: StoredModel): SignatureSummary | null {
  const facts = readGraphFacts(join(model.dir, 'onnx', 'model.onnx'));
  if (!facts) return null;
  const type = (name?: string) => {
    const input = facts.inputs.find((i) => i.name === name);
    return input ? (ELEM_TYPES[input.elemType ?? -1] ?? `type ${input.elemType}`) : '?';
  };
  const perLayer = facts.inputs.filter((i) => /^past_key_values\.\d+\.key$/.test(i.name));
  const stacked = facts.inputs.filter((i) => /^past_\d+$/.test(i.name));
  const cacheInput = perLayer[0] ?? stacked[0];
  const layout = perLayer.length
    ? `past_key_values.N.key/value × ${perLayer.length}`
    : stacked.length
      ? `stacked past_N × ${stacked.length}`
      : 'no KV cache inputs';
  let context: number | null = null;
  try {
    const config = JSON.parse(readFileSync(join(model.dir, 'config.json'), 'utf8')) as ModelConfig;
    context = config.max_position_embeddings ?? config.n_positions ?? null;
  } catch {
    /* unknown */
  }
  const ops = [...facts.ops].filter((o) => o.startsWith('com.microsoft:')).map((o) => o.slice('com.microsoft:'.length));
  return { ids: type('input_ids'), cache: cacheInput ? type(cacheInput.name) : '-', layout, context, ops: ops.sort() };
}
