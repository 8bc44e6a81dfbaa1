/**
 * A diffusion model folder in the diffusers / Optimum ONNX layout, checked part by part so a
 * missing file is reported by name before any session is opened.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ImageError, ImageErrorCode } from '../image-error';
import type { SchedulerConfig } from './schedulers';

export interface DiffusionModelFiles {
  dir: string;
  modelId: string;
  /** Short content hash of the configs plus the part sizes: changes when the weights change. */
  modelVersion: string;
  tokenizerDir: string;
  textEncoder: string;
  unet: string;
  vaeDecoder: string;
  scheduler: SchedulerConfig;
  vaeScalingFactor: number;
  vaeScaleFactor: number;
  isDemo: boolean;
}

const PARTS = ['text_encoder/model.onnx', 'unet/model.onnx', 'vae_decoder/model.onnx'] as const;

function readJson<T>(path: string, part: string): T {
  if (!existsSync(path)) throw new ImageError(ImageErrorCode.MODEL_PART_MISSING, `the diffusion model has no ${part} (${path})`, part);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    throw new ImageError(ImageErrorCode.MODEL_PART_MISSING, `${path} is not valid JSON: ${(err as Error).message}`, part);
  }
}

export function isDiffusionModelDir(dir: string): boolean {
  return existsSync(join(dir, 'model_index.json'));
}

export function locateDiffusionModel(dirInput: string): DiffusionModelFiles {
  const dir = resolve(dirInput);
  const index = readJson<{ _name_or_path?: string; brandwright?: { demo?: boolean } }>(join(dir, 'model_index.json'), 'model_index.json');
  for (const part of PARTS) {
    if (!existsSync(join(dir, part)))
      throw new ImageError(ImageErrorCode.MODEL_PART_MISSING, `the diffusion model in ${dir} has no ${part}`, part);
  }
  const tokenizerDir = join(dir, 'tokenizer');
  if (!existsSync(tokenizerDir))
    throw new ImageError(ImageErrorCode.MODEL_PART_MISSING, `the diffusion model in ${dir} has no tokenizer/`, 'tokenizer');
  const scheduler = readJson<SchedulerConfig>(join(dir, 'scheduler', 'scheduler_config.json'), 'scheduler/scheduler_config.json');
  const vaePath = join(dir, 'vae_decoder', 'config.json');
  const vae = existsSync(vaePath)
    ? readJson<{ scaling_factor?: number; block_out_channels?: number[] }>(vaePath, 'vae_decoder/config.json')
    : {};

  const hash = createHash('sha256');
  hash.update(readFileSync(join(dir, 'model_index.json')));
  hash.update(JSON.stringify(scheduler));
  for (const part of PARTS) hash.update(`${part}:${statSync(join(dir, part)).size}`);
  return {
    dir,
    modelId: index._name_or_path ?? basename(dir),
    modelVersion: hash.digest('hex').slice(0, 12),
    tokenizerDir,
    textEncoder: join(dir, PARTS[0]),
    unet: join(dir, PARTS[1]),
    vaeDecoder: join(dir, PARTS[2]),
    scheduler,
    vaeScalingFactor: vae.scaling_factor ?? 0.18215,
    vaeScaleFactor: 2 ** ((vae.block_out_channels?.length ?? 4) - 1),
    isDemo: index.brandwright?.demo === true,
  };
}
