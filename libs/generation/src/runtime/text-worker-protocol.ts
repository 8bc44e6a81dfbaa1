/** Messages between TextEngine (calling thread) and the inference worker thread. */
import type { GenerationRequest, GenerationResult, StreamedToken } from '../text/generation-request';
import type { GenerationErrorCode } from '../text/generation-error';
import type { ExecutionProviderChoice } from './execution-provider';

export interface TextWorkerData {
  modelDir: string;
  modelId?: string;
  executionProvider: ExecutionProviderChoice;
  threads?: number;
  maxBatchSize?: number;
}

export interface EngineInfo {
  modelId: string;
  isDemo: boolean;
  executionProvider: string;
  contextLength: number;
}

type ErrorJson = { code: GenerationErrorCode; message: string; field?: string };

export type EngineToWorker =
  /** `stream`: send each token back as it comes (only when the caller listens). */
  { type: 'generate'; id: string; request: GenerationRequest; stream: boolean } | { type: 'cancel'; id: string } | { type: 'close' };

export type WorkerToEngine =
  | { type: 'ready'; info: EngineInfo }
  | { type: 'failed'; error: ErrorJson }
  | { type: 'log'; message: string }
  | { type: 'token'; id: string; token: StreamedToken }
  | { type: 'done'; id: string; result: GenerationResult }
  | { type: 'error'; id: string; error: ErrorJson }
  | { type: 'closed' };
