/**
 * The inference thread. onnxruntime-node's run() blocks the thread it runs on, so the decoder,
 * the tokenizer and the batch scheduler all live here; the calling thread only passes messages
 * and stays responsive (queue locks, HTTP, pub/sub keep working while a batch decodes).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DecoderModel } from '../text/decoder-model';
import { BatchScheduler, asGenerationError } from '../text/batch-scheduler';
import { resolveTextModel } from '../models/model-store';
import type { EngineToWorker, WorkerToEngine, TextWorkerData } from './text-worker-protocol';

const port = parentPort!;
const send = (message: WorkerToEngine) => port.postMessage(message);

async function main(): Promise<void> {
  const data = workerData as TextWorkerData;
  const log = (message: string) => send({ type: 'log', message });
  let scheduler: BatchScheduler;
  let model: DecoderModel;
  try {
    model = await DecoderModel.load(resolveTextModel(data.modelDir, data.modelId), {
      executionProvider: data.executionProvider,
      threads: data.threads,
      log,
    });
    scheduler = new BatchScheduler(model, { maxBatchSize: data.maxBatchSize });
  } catch (error) {
    send({ type: 'failed', error: asGenerationError(error).toJSON() });
    return;
  }
  send({
    type: 'ready',
    info: {
      modelId: model.id,
      isDemo: model.isDemo,
      executionProvider: model.executionProvider,
      contextLength: model.signature.contextLength,
    },
  });
  port.on('message', async (message: EngineToWorker) => {
    if (message.type === 'generate') {
      const { id } = message;
      scheduler.submit(id, message.request, {
        onToken: message.stream ? (token) => send({ type: 'token', id, token }) : undefined,
        onDone: (result) => send({ type: 'done', id, result }),
        onError: (error) => send({ type: 'error', id, error: error.toJSON() }),
      });
    } else if (message.type === 'cancel') {
      scheduler.cancel(message.id);
    } else if (message.type === 'close') {
      await scheduler.stop();
      await model.release();
      send({ type: 'closed' });
      process.exit(0); // in a worker thread this ends only the thread
    }
  });
}

void main();
