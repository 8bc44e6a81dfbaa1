/** Messages between the image engine and its worker thread. */
import type { GeneratedPicture, ImageRequest } from '../generation-request';
import type { ImageErrorCode } from '../image-error';
import type { ExecutionProviderChoice } from './open-session';

export interface WorkerConfig {
  /** A diffusion model folder, or null for the built-in CPPN generator. */
  diffusionDir: string | null;
  executionProvider: ExecutionProviderChoice;
  intraOpNumThreads?: number;
}

export interface EngineInfo {
  kind: 'diffusion' | 'cppn';
  modelId: string;
  modelVersion: string;
  provider: 'cuda' | 'cpu';
  /** A tiny random-weight model from `models build-tiny`. */
  isDemo: boolean;
}

export type ToWorker = { type: 'generate'; id: number; request: ImageRequest; cancel: SharedArrayBuffer } | { type: 'close' };

type WorkerError = { code?: ImageErrorCode; message: string; subject?: string; imageError: boolean };

export type FromWorker =
  | { type: 'ready'; info: EngineInfo }
  | { type: 'fatal'; error: WorkerError }
  | { type: 'log'; level: 'info' | 'warn'; message: string; fields?: Record<string, unknown> }
  | { type: 'progress'; id: number; step: number; total: number }
  | { type: 'done'; id: number; picture: GeneratedPicture }
  | { type: 'failed'; id: number; error: WorkerError };
