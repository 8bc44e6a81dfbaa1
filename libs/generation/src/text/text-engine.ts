/**
 * The text engine as the job worker uses it:
 *
 *   const engine = await TextEngine.start({ modelDir, executionProvider: 'auto', threads: 2 });
 *   const result = await engine.generate({ messages, maxNewTokens: 60 }, { onToken, signal });
 *   await engine.close();
 *
 * Inference runs on a worker thread (see runtime/text-worker.ts); concurrent generate() calls
 * share forward passes through continuous batching there.
 */
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../runtime/start-worker';
import type { EngineInfo, EngineToWorker, TextWorkerData, WorkerToEngine } from '../runtime/text-worker-protocol';
import type { ExecutionProviderChoice } from '../runtime/execution-provider';
import { GenerationError, GenerationErrorCode } from './generation-error';
import type { GenerationRequest, GenerationResult, StreamedToken } from './generation-request';

export interface TextEngineOptions {
  /** MODEL_DIR, or a model folder itself. */
  modelDir: string;
  /** Model id under modelDir (`owner/name`); default: the first text model there. */
  modelId?: string;
  executionProvider?: ExecutionProviderChoice;
  /** ONNX Runtime intra-op threads. */
  threads?: number;
  /** Most requests decoded together (default 16); more wait in a queue. */
  maxBatchSize?: number;
  log?: (message: string) => void;
}

export interface GenerateOptions {
  onToken?: (token: StreamedToken) => void;
  signal?: AbortSignal;
}

interface Pending {
  resolve(result: GenerationResult): void;
  reject(error: GenerationError): void;
  onToken?: (token: StreamedToken) => void;
}

export class TextEngine {
  private readonly pending = new Map<string, Pending>();
  private nextId = 0;
  private closed = false;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly worker: Worker,
    readonly info: EngineInfo,
    private readonly log: (message: string) => void,
  ) {
    worker.on('message', (message: WorkerToEngine) => this.onMessage(message));
    worker.on('error', (error) =>
      this.failAll(new GenerationError(GenerationErrorCode.INTERNAL, `inference thread crashed: ${error.message}`)),
    );
    worker.on('exit', () => this.failAll(new GenerationError(GenerationErrorCode.ENGINE_CLOSED, 'the inference thread exited')));
  }

  get modelId(): string {
    return this.info.modelId;
  }

  /** True for a random-weight demo model: results are marked as demo output. */
  get isDemo(): boolean {
    return this.info.isDemo;
  }

  static async start(options: TextEngineOptions): Promise<TextEngine> {
    const log = options.log ?? (() => undefined);
    const data: TextWorkerData = {
      modelDir: options.modelDir,
      modelId: options.modelId,
      executionProvider: options.executionProvider ?? 'auto',
      threads: options.threads,
      maxBatchSize: options.maxBatchSize,
    };
    const worker = startTsWorker(join(__dirname, '..', 'runtime', `text-worker${__filename.endsWith('.ts') ? '.ts' : '.js'}`), data);
    const info = await new Promise<EngineInfo>((resolve, reject) => {
      const onMessage = (message: WorkerToEngine) => {
        if (message.type === 'log') log(message.message);
        else if (message.type === 'ready') done(() => resolve(message.info));
        else if (message.type === 'failed') done(() => reject(GenerationError.fromJSON(message.error)));
      };
      const onError = (error: Error) =>
        done(() => reject(new GenerationError(GenerationErrorCode.INTERNAL, `inference thread failed to start: ${error.message}`)));
      const done = (settle: () => void) => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        settle();
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
    }).catch(async (error) => {
      await worker.terminate();
      throw error;
    });
    log(`text engine ready: ${info.modelId} on ${info.executionProvider}${info.isDemo ? ' (demo model)' : ''}`);
    return new TextEngine(worker, info, log);
  }

  generate(request: GenerationRequest, options: GenerateOptions = {}): Promise<GenerationResult> {
    if (this.closed) return Promise.reject(new GenerationError(GenerationErrorCode.ENGINE_CLOSED, 'the text engine is closed'));
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(cancelled());
    const id = String(this.nextId++);
    return new Promise<GenerationResult>((resolve, reject) => {
      const onAbort = () => {
        this.pending.delete(id);
        this.post({ type: 'cancel', id });
        reject(cancelled());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = () => signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        resolve: (r) => (cleanup(), resolve(r)),
        reject: (e) => (cleanup(), reject(e)),
        onToken: options.onToken,
      });
      this.post({ type: 'generate', id, request, stream: options.onToken !== undefined });
    });
  }

  async close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    this.closing = new Promise<void>((resolve) => {
      this.worker.once('exit', () => resolve());
      this.post({ type: 'close' });
    });
    return this.closing;
  }

  private post(message: EngineToWorker): void {
    this.worker.postMessage(message);
  }

  private onMessage(message: WorkerToEngine): void {
    switch (message.type) {
      case 'log':
        this.log(message.message);
        return;
      case 'token':
        this.pending.get(message.id)?.onToken?.(message.token);
        return;
      case 'done':
        this.pending.get(message.id)?.resolve(message.result);
        this.pending.delete(message.id);
        return;
      case 'error':
        this.pending.get(message.id)?.reject(GenerationError.fromJSON(message.error));
        this.pending.delete(message.id);
        return;
      default:
        return;
    }
  }

  private failAll(error: GenerationError): void {
    this.closed = true;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }
}

function cancelled(): GenerationError {
  return new GenerationError(GenerationErrorCode.CANCELLED, 'the generation was cancelled');
}
