/** Messages between TextEngine (calling thread) and the inference worker thread. */
import type { GenerationRequest, GenerationResult, StreamedToken } from '../text/generation-request';
import type { ChatMessage } from '../text/text-tokenizer';
import type { GenerationErrorCode } from '../text/generation-error';
import type { ExecutionProviderChoice } from './execution-provider';

export interface TextWorkerData {
  modelDir: string;
  modelId?: string;
  executionProvider: ExecutionProviderChoice;
  threads?: number;
  maxBatchSize?: number;
  /** The engine's watchdog limit; the thread reports progress several times within it. */
  stallTimeoutMs: number;
  /** Least time between two progress messages. */
  progressIntervalMs: number;
  faults?: InferenceFaults;
}

/**
 * Faults a test injects into the thread's forward passes, to prove that every request still ends.
 * Never set in production.
 */
export interface InferenceFaults {
  /** A forward pass whose input ids contain this text's tokens blocks the thread for good (a stuck native run). */
  hangOnText?: string;
  /** A forward pass whose input ids contain this text's tokens throws. */
  throwOnText?: string;
  /** A forward pass whose input ids contain this text's tokens crashes the thread (an uncaught error). */
  crashOnText?: string;
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
  | { type: 'generate'; id: string; request: GenerationRequest; stream: boolean }
  | { type: 'cancel'; id: string }
  /** Tokens of these messages with the chat template applied (prompt budgeting). */
  | { type: 'count'; id: string; messages: ChatMessage[] }
  | { type: 'close' };

export type WorkerToEngine =
  | { type: 'ready'; info: EngineInfo }
  | { type: 'failed'; error: ErrorJson }
  | { type: 'log'; message: string }
  /** The requests that moved since the last progress message (see BatchScheduler's onProgress). */
  | { type: 'progress'; ids: string[] }
  | { type: 'token'; id: string; token: StreamedToken }
  | { type: 'done'; id: string; result: GenerationResult }
  | { type: 'counted'; id: string; tokens: number }
  | { type: 'error'; id: string; error: ErrorJson }
  | { type: 'closed' };
