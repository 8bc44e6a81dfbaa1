/**
 * The inference thread. onnxruntime-node's run() blocks the thread it runs on, so the decoder,
 * the tokenizer and the batch scheduler all live here; the calling thread only passes messages
 * and stays responsive (queue locks, HTTP, pub/sub keep working while a batch decodes).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DecoderModel } from '../text/decoder-model';
import { BatchScheduler, asGenerationError } from '../text/batch-scheduler';
import { resolveTextModel } from '../models/model-store';
import type { EngineToWorker, WorkerToEngine, TextWorkerData, InferenceFaults } from './text-worker-protocol';
import type { IdArray } from '../text/decoder-model';

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
    if (data.faults) injectFaults(model, data.faults);
    scheduler = new BatchScheduler(model, { maxBatchSize: data.maxBatchSize, onProgress: progressReporter(data.progressIntervalMs) });
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
    } else if (message.type === 'count') {
      try {
        const tokens = model.tokenizer.encode(model.tokenizer.applyChatTemplate(message.messages)).length;
        send({ type: 'counted', id: message.id, tokens });
      } catch (error) {
        send({ type: 'error', id: message.id, error: asGenerationError(error).toJSON() });
      }
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

/** Batches the scheduler's per-step progress into at most one message per interval. */
function progressReporter(intervalMs: number): (ids: string[]) => void {
  const moved = new Set<string>();
  let sentAt = 0;
  return (ids) => {
    for (const id of ids) moved.add(id);
    const now = Date.now();
    if (now - sentAt < intervalMs) return;
    sentAt = now;
    send({ type: 'progress', ids: [...moved] });
    moved.clear();
  };
}

/** Tests only: wraps forward() so passes over a marker text hang or throw, as a broken model would. */
function injectFaults(model: DecoderModel, faults: InferenceFaults): void {
  const forward = model.forward.bind(model);
  const marker = (text?: string) => (text ? model.tokenizer.encode(text) : null);
  const hang = marker(faults.hangOnText);
  const fail = marker(faults.throwOnText);
  const crash = marker(faults.crashOnText);
  model.forward = (input) => {
    if (hang && contains(input.ids, hang)) for (;;); // blocks like a native run that never returns
    if (crash && contains(input.ids, crash))
      setImmediate(() => {
        throw new Error('injected fault: the inference thread crashed');
      });
    if (fail && contains(input.ids, fail)) return Promise.reject(new Error('injected fault: the forward pass failed'));
    return forward(input);
  };
}

function contains(ids: IdArray, needle: number[]): boolean {
  const values = Array.from(ids as ArrayLike<number | bigint>, Number);
  return values.some((_, i) => needle.every((id, j) => values[i + j] === id));
}

void main();
