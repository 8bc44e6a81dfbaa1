/**
 * Opens the image engine's ONNX sessions on the execution provider the runtime picks
 * (runtime/execution-provider: 'auto' takes CUDA only where this onnxruntime-node build ships it).
 * If CUDA was chosen but cannot load (no GPU, no CUDA libraries), the session is opened on the
 * CPU and the fallback is logged — never a crash.
 */
import * as ort from 'onnxruntime-node';
import { createSessionOptions, type ExecutionProviderChoice } from '../../runtime/execution-provider';

export type { ExecutionProviderChoice };

export interface EngineLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export const consoleLogger: EngineLogger = {
  info: (message, fields) => console.info(`[image-engine] ${message}`, fields ?? ''),
  warn: (message, fields) => console.warn(`[image-engine] ${message}`, fields ?? ''),
};

export const silentLogger: EngineLogger = { info: () => undefined, warn: () => undefined };

export interface OpenedSession {
  session: ort.InferenceSession;
  provider: 'cuda' | 'cpu';
}

let cudaFailed = false;

export interface OpenSessionOptions {
  intraOpNumThreads?: number;
  /**
   * false: the session's intra-op threads sleep as soon as a run ends. ONNX Runtime's default
   * lets them busy-wait for more work for ~50 ms after every run, which is right for a session run
   * back to back (the UNet loop) but, for one that runs once per picture (text encoder, VAE),
   * only burns a core that the next session — or the job worker's main thread — needs.
   */
  spinning?: boolean;
}

/** The options `openSession` opens a session with on a provider (the bench's baseline uses them too). */
export function imageSessionOptions(choice: ExecutionProviderChoice, options: OpenSessionOptions = {}) {
  const chosen = createSessionOptions(choice, options.intraOpNumThreads);
  if (options.spinning === false) chosen.options = { ...chosen.options, extra: { session: { 'intra_op.allow_spinning': '0' } } };
  return chosen;
}

export async function openSession(
  model: string | Uint8Array,
  choice: ExecutionProviderChoice,
  log: EngineLogger,
  options: OpenSessionOptions = {},
): Promise<OpenedSession> {
  const create = (opts: ort.InferenceSession.SessionOptions) =>
    typeof model === 'string' ? ort.InferenceSession.create(model, opts) : ort.InferenceSession.create(model, opts);
  const chosen = imageSessionOptions(cudaFailed ? 'cpu' : choice, options);
  if (chosen.provider === 'cuda') {
    try {
      return { session: await create(chosen.options), provider: 'cuda' };
    } catch (err) {
      cudaFailed = true; // once per thread: later sessions go straight to the CPU
      log.warn('CUDA execution provider unavailable, using CPU', {
        model: typeof model === 'string' ? model : 'in-memory',
        reason: (err as Error).message.split('\n')[0],
      });
    }
  }
  return { session: await create(imageSessionOptions('cpu', options).options), provider: 'cpu' };
}
