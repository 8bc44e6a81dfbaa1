import { join } from 'node:path';
import type { Logger } from 'pino';
import {
  DEMO_MODEL_ID,
  type ExecutionProviderChoice,
  ImageEngine,
  TextEngine,
  buildTinyTextModel,
  isOutdatedTinyDemo,
  listModels,
} from '@brandwright/generation';

export interface InferenceEnginesOptions {
  modelDir: string;
  textModelId?: string;
  /** A text request with no progress this long fails (TEXT_STALL_TIMEOUT_MS). */
  textStallTimeoutMs?: number;
  executionProvider: ExecutionProviderChoice;
  threads?: number;
  /** Most text requests decoded together: the text queue's concurrency × variants per job. */
  maxBatchSize: number;
  logger: Logger;
  /** Told which execution provider each engine ended up on (for the metrics). */
  onEngineStarted?: (engine: 'text' | 'image', provider: string) => void;
}

/**
 * The models of one worker process, each loaded once, on first use, and shared by every job of
 * its queue: concurrent text jobs all feed one TextEngine, whose continuous batching decodes
 * their variants together. Inference runs on the engines' worker threads, so this process's
 * event loop stays free to renew queue locks.
 */
export class InferenceEngines {
  private text: Promise<TextEngine> | null = null;
  private image: Promise<ImageEngine> | null = null;

  constructor(private readonly options: InferenceEnginesOptions) {}

  textEngine(): Promise<TextEngine> {
    this.text ??= TextEngine.start({
      modelDir: this.options.modelDir,
      modelId: this.options.textModelId,
      executionProvider: this.options.executionProvider,
      threads: this.options.threads,
      maxBatchSize: this.options.maxBatchSize,
      stallTimeoutMs: this.options.textStallTimeoutMs,
      log: (message) => this.options.logger.info(message),
    }).then(
      (engine) => {
        this.options.onEngineStarted?.('text', engine.info.executionProvider);
        return engine;
      },
      (error) => {
        this.text = null;
        throw error;
      },
    );
    return this.text;
  }

  imageEngine(): Promise<ImageEngine> {
    const logger = this.options.logger;
    this.image ??= ImageEngine.start({
      modelDir: this.options.modelDir,
      executionProvider: this.options.executionProvider,
      intraOpNumThreads: this.options.threads,
      logger: { info: (m, fields) => logger.info(fields ?? {}, m), warn: (m, fields) => logger.warn(fields ?? {}, m) },
    }).then(
      (engine) => {
        this.options.onEngineStarted?.('image', engine.info.provider);
        return engine;
      },
      (error) => {
        this.image = null;
        throw error;
      },
    );
    return this.image;
  }

  async close(): Promise<void> {
    const engines = await Promise.allSettled([this.text, this.image].filter(Boolean) as Array<Promise<{ close(): Promise<void> }>>);
    await Promise.all(engines.map((e) => (e.status === 'fulfilled' ? e.value.close() : undefined)));
  }
}

/**
 * A first run has no model: build the tiny random-weight demo model into MODEL_DIR so the worker
 * starts with nothing else installed. Everything it writes is flagged as demo output.
 */
export function ensureDemoTextModel(modelDir: string, logger: Logger): void {
  const dir = join(modelDir, DEMO_MODEL_ID);
  // A demo model built before its context grew to 2,048 positions is rebuilt: a normal brand does not fit 512.
  // A half-pulled model does not count: it is never loaded.
  if (listModels(modelDir).some((m) => m.kind === 'text' && m.complete !== false) && !isOutdatedTinyDemo(dir)) return;
  logger.warn(
    { dir },
    'no text model is installed: building the tiny demo model; copy it writes is random demo output, not real copy (install one with `npm run models -- pull <owner/name>`)',
  );
  buildTinyTextModel({ dir, size: 'test', name: DEMO_MODEL_ID });
}
