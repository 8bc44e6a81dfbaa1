/**
 * The image engine: one worker thread per engine holding the ONNX sessions, an async API on the
 * calling thread. Load it once per process and reuse it.
 *
 *   const engine = await ImageEngine.start({ modelDir: '.data/models', executionProvider: 'auto' });
 *   const picture = await engine.generate({ prompt, width: 512, height: 512, seed: 1 }, { onProgress, signal });
 *   await engine.close();
 *
 * With no diffusion model under `modelDir` (or no `modelDir`), the engine runs the built-in CPPN
 * brand generator instead, so `npm start` makes images with nothing downloaded.
 */
import { existsSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { listModels } from '../../models/model-store';
import { isDiffusionModelDir } from '../diffusion/diffusion-model';
import type { GeneratedPicture, ImageHooks, ImageRequest } from '../generation-request';
import { ImageError, ImageErrorCode } from '../image-error';
import { consoleLogger, type EngineLogger, type ExecutionProviderChoice } from './open-session';
import type { EngineInfo, FromWorker, ToWorker, WorkerConfig } from './worker-protocol';

export interface ImageEngineOptions {
  /** A diffusion model folder, or MODEL_DIR holding one (optionally chosen by `modelId`). */
  modelDir?: string | null;
  modelId?: string;
  /** 'auto' (default): CUDA when its provider is installed, else CPU. */
  executionProvider?: ExecutionProviderChoice;
  logger?: EngineLogger;
  /** ONNX Runtime intra-op threads per session (default: ORT's choice, all cores). */
  intraOpNumThreads?: number;
}

interface Pending {
  resolve: (picture: GeneratedPicture) => void;
  reject: (error: Error) => void;
  onProgress?: ImageHooks['onProgress'];
  cleanup: () => void;
}

function findDiffusionModel(modelDir: string | null | undefined, modelId: string | undefined, log: EngineLogger): string | null {
  if (!modelDir) return null;
  const root = resolve(modelDir);
  if (isDiffusionModelDir(root)) return root;
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    log.info('model folder not found; using the built-in brand generator', { modelDir: root });
    return null;
  }
  const models = listModels(root).filter((m) => m.kind === 'diffusion');
  const chosen = modelId ? models.find((m) => m.id === modelId) : (models.find((m) => !m.isDemo) ?? models[0]);
  if (modelId && !chosen) {
    throw new ImageError(ImageErrorCode.MODEL_PART_MISSING, `diffusion model "${modelId}" is not installed in ${root}`, 'model_index.json');
  }
  if (!chosen) log.info('no diffusion model installed; using the built-in brand generator', { modelDir: root });
  return chosen?.dir ?? null;
}

function spawnWorker(config: WorkerConfig): Worker {
  const ext = extname(__filename);
  const entry = join(__dirname, `image-worker${ext}`);
  if (ext === '.ts') {
    // Running from TypeScript sources (tests, `npm start`): the worker registers the same loader.
    const register = require.resolve('@swc-node/register');
    return new Worker(`require(${JSON.stringify(register)}); require(${JSON.stringify(entry)});`, { eval: true, workerData: config });
  }
  return new Worker(entry, { workerData: config });
}

function toError(error: { code?: ImageErrorCode; message: string; subject?: string; imageError: boolean }): Error {
  return error.imageError && error.code ? new ImageError(error.code, error.message, error.subject) : new Error(error.message);
}

export class ImageEngine {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  private constructor(
    private readonly worker: Worker,
    readonly info: EngineInfo,
    private readonly log: EngineLogger,
  ) {
    worker.on('message', (message: FromWorker) => this.onMessage(message));
    worker.on('error', (err) => this.failAll(new ImageError(ImageErrorCode.ENGINE_CLOSED, `the image worker crashed: ${err.message}`)));
    worker.on('exit', () => {
      this.closed = true;
      this.failAll(new ImageError(ImageErrorCode.ENGINE_CLOSED, 'the image engine was closed'));
    });
  }

  static async start(options: ImageEngineOptions = {}): Promise<ImageEngine> {
    const log = options.logger ?? consoleLogger;
    const config: WorkerConfig = {
      diffusionDir: findDiffusionModel(options.modelDir, options.modelId, log),
      executionProvider: options.executionProvider ?? 'auto',
      intraOpNumThreads: options.intraOpNumThreads,
    };
    const worker = spawnWorker(config);
    const info = await new Promise<EngineInfo>((resolveReady, reject) => {
      const onMessage = (message: FromWorker) => {
        if (message.type === 'log') log[message.level](message.message, message.fields);
        else if (message.type === 'ready') done(() => resolveReady(message.info));
        else if (message.type === 'fatal') done(() => reject(toError(message.error)), true);
      };
      const onError = (err: Error) => done(() => reject(err), true);
      const onExit = (code: number) =>
        done(() => reject(new ImageError(ImageErrorCode.ENGINE_CLOSED, `the image worker exited (${code}) while starting`)));
      const done = (settle: () => void, terminate = false) => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (terminate) void worker.terminate();
        settle();
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
    log.info('image engine started', { ...info });
    return new ImageEngine(worker, info, log);
  }

  private onMessage(message: FromWorker): void {
    if (message.type === 'log') {
      this.log[message.level](message.message, message.fields);
      return;
    }
    if (message.type !== 'progress' && message.type !== 'done' && message.type !== 'failed') return;
    const job = this.pending.get(message.id);
    if (!job) return;
    if (message.type === 'progress') {
      job.onProgress?.({ step: message.step, total: message.total });
      return;
    }
    this.pending.delete(message.id);
    job.cleanup();
    if (message.type === 'done') job.resolve(message.picture);
    else job.reject(toError(message.error));
  }

  private failAll(error: Error): void {
    for (const [id, job] of this.pending) {
      this.pending.delete(id);
      job.cleanup();
      job.reject(error);
    }
  }

  generate(request: ImageRequest, hooks: ImageHooks = {}): Promise<GeneratedPicture> {
    if (this.closed) return Promise.reject(new ImageError(ImageErrorCode.ENGINE_CLOSED, 'the image engine is closed'));
    if (hooks.signal?.aborted) return Promise.reject(new ImageError(ImageErrorCode.CANCELLED, 'image generation was cancelled'));
    const id = this.nextId++;
    const cancel = new SharedArrayBuffer(4);
    const flag = new Int32Array(cancel);
    return new Promise<GeneratedPicture>((resolvePicture, reject) => {
      const onAbort = () => Atomics.store(flag, 0, 1);
      hooks.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: resolvePicture,
        reject,
        onProgress: hooks.onProgress,
        cleanup: () => hooks.signal?.removeEventListener('abort', onAbort),
      });
      const message: ToWorker = { type: 'generate', id, request, cancel };
      this.worker.postMessage(message);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const exited = new Promise<void>((resolveExit) => this.worker.once('exit', () => resolveExit()));
    this.worker.postMessage({ type: 'close' } satisfies ToWorker);
    const timer = setTimeout(() => void this.worker.terminate(), 5000);
    await exited;
    clearTimeout(timer);
  }
}
