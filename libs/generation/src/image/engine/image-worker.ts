/**
 * The image engine's worker thread: owns the ONNX sessions (diffusion pipeline or the built-in
 * CPPN generator) so their blocking `run()` calls never stall the job worker's event loop.
 * Requests run one at a time; cancellation is a shared flag checked between steps, readable
 * even while this thread is busy.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CppnGenerator } from '../cppn/cppn-generator';
import { CPPN_MODEL_ID, CPPN_VERSION } from '../cppn/cppn-graph';
import { DiffusionPipeline } from '../diffusion/diffusion-pipeline';
import { ImageError } from '../image-error';
import type { EngineLogger } from './open-session';
import type { EngineInfo, FromWorker, ToWorker, WorkerConfig } from './worker-protocol';

const port = parentPort!;
const config = workerData as WorkerConfig;
const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

const log: EngineLogger = {
  info: (message, fields) => post({ type: 'log', level: 'info', message, fields }),
  warn: (message, fields) => post({ type: 'log', level: 'warn', message, fields }),
};

function serialiseError(err: unknown): Extract<FromWorker, { type: 'failed' }>['error'] {
  if (err instanceof ImageError) return { ...err.toJSON(), imageError: true };
  return { message: err instanceof Error ? err.message : String(err), imageError: false };
}

async function main(): Promise<void> {
  let generator: DiffusionPipeline | CppnGenerator;
  let info: EngineInfo;
  try {
    const options = { executionProvider: config.executionProvider, log, intraOpNumThreads: config.intraOpNumThreads };
    if (config.diffusionDir) {
      const pipeline = await DiffusionPipeline.load(config.diffusionDir, options);
      generator = pipeline;
      info = {
        kind: 'diffusion',
        modelId: pipeline.files.modelId,
        modelVersion: pipeline.files.modelVersion,
        provider: pipeline.provider,
        isDemo: pipeline.files.isDemo,
      };
    } else {
      const cppn = await CppnGenerator.create(options);
      generator = cppn;
      info = { kind: 'cppn', modelId: CPPN_MODEL_ID, modelVersion: CPPN_VERSION, provider: cppn.provider, isDemo: false };
    }
  } catch (err) {
    post({ type: 'fatal', error: serialiseError(err) });
    return;
  }
  post({ type: 'ready', info });

  let queue = Promise.resolve();
  port.on('message', (message: ToWorker) => {
    if (message.type === 'close') {
      queue = queue.then(async () => {
        await generator.release();
        port.close();
      });
      return;
    }
    const { id, request, cancel } = message;
    const flag = new Int32Array(cancel);
    queue = queue.then(async () => {
      try {
        const picture = await generator.generate(request, {
          onProgress: (step, total) => post({ type: 'progress', id, step, total }),
          isCancelled: () => Atomics.load(flag, 0) === 1,
        });
        const rgb = picture.rgb;
        post({ type: 'done', id, picture }, [rgb.buffer as ArrayBuffer]);
      } catch (err) {
        post({ type: 'failed', id, error: serialiseError(err) });
      }
    });
  });
}

void main();
