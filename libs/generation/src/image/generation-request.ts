/** What the image engine is asked for, and what it gives back. */
import type { SchedulerName } from './diffusion/schedulers';

export interface ImageRequest {
  prompt: string;
  negativePrompt?: string | null;
  /** Multiples of 8. */
  width: number;
  height: number;
  /** Denoising steps (diffusion); ignored by the built-in generator. */
  steps?: number;
  /** Classifier-free guidance scale; ≤ 1 turns guidance off (one UNet pass per step). */
  guidance?: number;
  scheduler?: SchedulerName;
  seed: number;
  /** Brand palette (hex); the built-in generator paints with it, diffusion ignores it. */
  palette?: string[];
}

export interface ImageProgress {
  step: number;
  total: number;
}

export interface ImageHooks {
  onProgress?: (progress: ImageProgress) => void;
  signal?: AbortSignal;
}

/** A generated picture: packed RGB, row-major, plus how it was made. */
export interface GeneratedPicture {
  width: number;
  height: number;
  rgb: Uint8Array;
  modelId: string;
  modelVersion: string;
  scheduler: string;
  steps: number;
  guidance: number;
  seed: number;
  /** The execution provider that ran it. */
  provider: 'cuda' | 'cpu';
}

export const MAX_IMAGE_SIDE = 2048;
