/**
 * The text engine as the job worker uses it:
 *
 *   const engine = await TextEngine.start({ modelDir, executionProvider: 'auto', threads: 2 });
 *   const result = await engine.generate({ messages, maxNewTokens: 60 }, { onToken, signal });
 *   await engine.close();
 *
 * Inference runs on a worker thread (see runtime/text-worker.ts); concurrent generate() calls
 * share forward passes through continuous batching there.
 *
 * Every request ends: the thread fails the requests a broken forward pass touched, and a watchdog
 * here fails a request that makes no progress for `stallTimeoutMs`. onnxruntime-node's run()
 * blocks its thread, so a stuck native run can only be seen from this side: when the thread falls
 * silent, its requests fail, it is terminated, and the next request starts a fresh one.
 */
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../runtime/start-worker';
import type { EngineInfo, EngineToWorker, InferenceFaults, TextWorkerData, WorkerToEngine } from '../runtime/text-worker-protocol';
import type { ExecutionProviderChoice } from '../runtime/execution-provider';
import { GenerationError, GenerationErrorCode } from './generation-error';
import type { GenerationRequest, GenerationResult, StreamedToken } from './generation-request';
import type { ChatMessage } from './text-tokenizer';

export const DEFAULT_STALL_TIMEOUT_MS = 120_000;

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
  /** A request that makes no progress (no prefill, no token) for this long fails with GENERATION_STALLED. */
  stallTimeoutMs?: number;
  /** Tests only: faults injected into the inference thread's forward passes. */
  faults?: InferenceFaults;
  log?: (message: string) => void;
}

export interface GenerateOptions {
  onToken?: (token: StreamedToken) => void;
  signal?: AbortSignal;
}

interface Pending {
  resolve(result: GenerationResult | number): void;
  reject(error: GenerationError): void;
  onToken?: (token: StreamedToken) => void;
  /** When the request last moved (sent, prefilled, a token). */
  lastProgress: number;
}

export class TextEngine {
  private readonly pending = new Map<string, Pending>();
  private nextId = 0;
  private closed = false;
  private closing: Promise<void> | null = null;
  /** Null after the thread was lost (crashed, or stuck and terminated) until the next request. */
  private worker: Worker | null;
  private relaunching: Promise<Worker> | null = null;
  /** When the thread last said anything. */
  private lastHeard = Date.now();
  private watchdog: NodeJS.Timeout | null = null;
  private readonly stallTimeoutMs: number;

  private constructor(
    worker: Worker,
    readonly info: EngineInfo,
    private readonly data: TextWorkerData,
    private readonly log: (message: string) => void,
  ) {
    this.stallTimeoutMs = data.stallTimeoutMs;
    this.worker = worker;
    this.attach(worker);
  }

  get modelId(): string {
    return this.info.modelId;
  }

  /** Positions the model takes: prompt plus generated tokens. */
  get contextLength(): number {
    return this.info.contextLength;
  }

  /** True for a random-weight demo model: results are marked as demo output. */
  get isDemo(): boolean {
    return this.info.isDemo;
  }

  static async start(options: TextEngineOptions): Promise<TextEngine> {
    const log = options.log ?? (() => undefined);
    const stallTimeoutMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
    const data: TextWorkerData = {
      modelDir: options.modelDir,
      modelId: options.modelId,
      executionProvider: options.executionProvider ?? 'auto',
      threads: options.threads,
      maxBatchSize: options.maxBatchSize,
      stallTimeoutMs,
      // Often enough that one missed beat is far from a stall.
      progressIntervalMs: Math.max(5, Math.min(1000, Math.floor(stallTimeoutMs / 4))),
      faults: options.faults,
    };
    const { worker, info } = await launch(data, log);
    log(`text engine ready: ${info.modelId} on ${info.executionProvider}${info.isDemo ? ' (demo model)' : ''}`);
    return new TextEngine(worker, info, data, log);
  }

  /** Tokens of these chat messages as the model sees them (its chat template applied). */
  countTokens(messages: ChatMessage[]): Promise<number> {
    if (this.closed) return Promise.reject(new GenerationError(GenerationErrorCode.ENGINE_CLOSED, 'the text engine is closed'));
    const id = String(this.nextId++);
    return new Promise<number>((resolve, reject) => {
      this.pending.set(id, { resolve: (n) => resolve(n as number), reject, lastProgress: Date.now() });
      this.startWatchdog();
      this.submit({ type: 'count', id, messages });
    });
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
        resolve: (r) => (cleanup(), resolve(r as GenerationResult)),
        reject: (e) => (cleanup(), reject(e)),
        onToken: options.onToken,
        lastProgress: Date.now(),
      });
      this.startWatchdog();
      this.submit({ type: 'generate', id, request, stream: options.onToken !== undefined });
    });
  }

  /** Lets the thread finish what it holds; a thread stuck that long (the stall timeout) is terminated. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      this.stopWatchdog();
      const worker = this.worker ?? (await this.relaunching?.catch(() => null)) ?? null;
      if (!worker) return;
      await new Promise<void>((resolve) => {
        const stuck = setTimeout(() => {
          this.log('text engine: the inference thread did not close in time; terminating it');
          void worker.terminate();
        }, this.stallTimeoutMs);
        worker.once('exit', () => {
          clearTimeout(stuck);
          resolve();
        });
        worker.postMessage({ type: 'close' } satisfies EngineToWorker);
      });
    })();
    return this.closing;
  }

  /** Sends a request to the thread, starting a fresh one first when the last was lost. */
  private submit(message: Extract<EngineToWorker, { type: 'generate' | 'count' }>): void {
    if (this.worker) return this.post(message);
    this.relaunching ??= launch(this.data, this.log).then(
      ({ worker }) => {
        this.relaunching = null;
        if (this.closed) {
          void worker.terminate();
          throw new GenerationError(GenerationErrorCode.ENGINE_CLOSED, 'the text engine is closed');
        }
        this.log('text engine: a fresh inference thread is ready');
        this.worker = worker;
        this.lastHeard = Date.now();
        this.attach(worker);
        return worker;
      },
      (error: GenerationError) => {
        this.relaunching = null;
        throw error;
      },
    );
    this.relaunching.then(
      () => {
        const waiting = this.pending.get(message.id);
        if (!waiting) return;
        waiting.lastProgress = Date.now();
        this.post(message);
      },
      (error: GenerationError) => this.settle(message.id, (p) => p.reject(error)),
    );
  }

  private post(message: EngineToWorker): void {
    this.worker?.postMessage(message);
  }

  private attach(worker: Worker): void {
    worker.on('message', (message: WorkerToEngine) => {
      if (this.worker !== worker) return;
      this.lastHeard = Date.now();
      this.onMessage(message);
    });
    worker.on('error', (error) =>
      this.lost(worker, new GenerationError(GenerationErrorCode.INFERENCE_FAILED, `the inference thread crashed: ${error.message}`)),
    );
    worker.on('exit', () =>
      this.lost(
        worker,
        this.closed
          ? new GenerationError(GenerationErrorCode.ENGINE_CLOSED, 'the text engine was closed')
          : new GenerationError(GenerationErrorCode.INFERENCE_FAILED, 'the inference thread exited'),
      ),
    );
  }

  /** The thread is gone: its requests fail; the engine stays usable (a new request starts a new thread). */
  private lost(worker: Worker, error: GenerationError): void {
    if (this.worker !== worker) return;
    this.worker = null;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    this.stopWatchdog();
  }

  private onMessage(message: WorkerToEngine): void {
    switch (message.type) {
      case 'log':
        this.log(message.message);
        return;
      case 'progress': {
        const now = Date.now();
        for (const id of message.ids) {
          const p = this.pending.get(id);
          if (p) p.lastProgress = now;
        }
        return;
      }
      case 'token': {
        const p = this.pending.get(message.id);
        if (p) p.lastProgress = Date.now();
        p?.onToken?.(message.token);
        return;
      }
      case 'done':
        this.settle(message.id, (p) => p.resolve(message.result));
        return;
      case 'counted':
        this.settle(message.id, (p) => p.resolve(message.tokens));
        return;
      case 'error':
        this.settle(message.id, (p) => p.reject(GenerationError.fromJSON(message.error)));
        return;
      default:
        return;
    }
  }

  private settle(id: string, how: (p: Pending) => void): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    how(p);
    if (this.pending.size === 0) this.stopWatchdog();
  }

  private startWatchdog(): void {
    if (this.watchdog) return;
    const every = Math.max(5, Math.min(1000, Math.floor(this.stallTimeoutMs / 4)));
    this.watchdog = setInterval(() => this.checkProgress(), every);
    this.watchdog.unref();
  }

  private stopWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
  }

  /** Fails requests that made no progress for the stall timeout; a silent thread is replaced. */
  private checkProgress(): void {
    // While a fresh thread loads its model, nothing is owed: the clock starts when a request is sent.
    if (!this.worker) return;
    const now = Date.now();
    const limit = this.stallTimeoutMs;
    const stalled = [...this.pending].filter(([, p]) => now - p.lastProgress > limit).map(([id]) => id);
    if (stalled.length === 0) return;
    const error = new GenerationError(
      GenerationErrorCode.GENERATION_STALLED,
      `the generation made no progress for ${Math.round(limit / 1000)} s (TEXT_STALL_TIMEOUT_MS)`,
    );
    const worker = this.worker;
    if (worker && now - this.lastHeard > limit) {
      // The thread itself is stuck (a native run that never returns): nothing it holds can finish.
      this.log(`text engine: the inference thread was silent for ${now - this.lastHeard} ms; replacing it`);
      this.lost(worker, error);
      void worker.terminate();
      return;
    }
    for (const id of stalled) {
      this.post({ type: 'cancel', id });
      this.settle(id, (p) => p.reject(error));
    }
  }
}

/** Starts an inference thread and waits until its model is loaded. */
async function launch(data: TextWorkerData, log: (message: string) => void): Promise<{ worker: Worker; info: EngineInfo }> {
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
  return { worker, info };
}

function cancelled(): GenerationError {
  return new GenerationError(GenerationErrorCode.CANCELLED, 'the generation was cancelled');
}
