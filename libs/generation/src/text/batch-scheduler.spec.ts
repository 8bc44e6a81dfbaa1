import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTinyTextModel } from '../models/tiny-text-model';
import { resolveTextModel } from '../models/model-store';
import { DecoderModel, type ForwardInput } from './decoder-model';
import { BatchScheduler } from './batch-scheduler';
import { GenerationErrorCode, type GenerationError } from './generation-error';
import type { GenerationRequest, GenerationResult, StreamedToken } from './generation-request';

/**
 * Failures end requests: a real tiny model whose forward() throws when a test arms it, as a
 * broken export or a failing device would. Each test has a timeout so a regression (a request
 * that never ends) fails instead of hanging the run.
 */
const dir = mkdtempSync(join(tmpdir(), 'batch-scheduler-'));
let model: DecoderModel;
/** When set, the next forward pass it matches throws (once). */
let armed: ((input: ForwardInput) => boolean) | null = null;

before(async () => {
  buildTinyTextModel({ dir, seed: 5, name: 'test/scheduler' });
  model = await DecoderModel.load(resolveTextModel(dir), { executionProvider: 'cpu', threads: 1 });
  const forward = model.forward.bind(model);
  model.forward = (input) => {
    if (armed?.(input)) {
      armed = null;
      return Promise.reject(new Error('device lost'));
    }
    return forward(input);
  };
});

after(async () => {
  await model?.release();
  rmSync(dir, { recursive: true, force: true });
});

interface Outcome {
  done: GenerationResult[];
  errors: GenerationError[];
  tokens: number;
  /** Settles on the first onDone/onError. */
  settled: Promise<void>;
}

function submit(
  scheduler: BatchScheduler,
  id: string,
  request: GenerationRequest,
  onToken?: (t: StreamedToken, o: Outcome) => void,
  onDone?: () => void,
): Outcome {
  let settle!: () => void;
  const outcome: Outcome = { done: [], errors: [], tokens: 0, settled: new Promise<void>((r) => (settle = r)) };
  scheduler.submit(id, request, {
    onToken: (t) => {
      outcome.tokens += 1;
      onToken?.(t, outcome);
    },
    onDone: (result) => {
      outcome.done.push(result);
      onDone?.();
      settle();
    },
    onError: (error) => {
      outcome.errors.push(error);
      settle();
    },
  });
  return outcome;
}

const long = (prompt: string, maxNewTokens = 24): GenerationRequest => ({ prompt, maxNewTokens, ignoreEos: true });
const isPrefill = (input: ForwardInput) => input.pastLength === 0;

async function alone(request: GenerationRequest): Promise<string> {
  const scheduler = new BatchScheduler(model);
  const outcome = submit(scheduler, 'alone', request);
  await outcome.settled;
  await scheduler.stop();
  return outcome.done[0].text;
}

describe('BatchScheduler when a forward pass fails', () => {
  test('a failed prefill fails the requests joining in it, the running batch goes on unchanged', { timeout: 30_000 }, async () => {
    const expected = await alone(long('Fresh coffee for'));
    const scheduler = new BatchScheduler(model);
    let joiner: Outcome | null = null;
    const running = submit(scheduler, 'running', long('Fresh coffee for'), (t) => {
      if (t.index !== 3) return;
      armed = isPrefill;
      joiner = submit(scheduler, 'joiner', long('Broken prompt'));
    });
    await running.settled;
    await joiner!.settled;
    assert.equal(joiner!.errors.length, 1);
    assert.equal(joiner!.errors[0].code, GenerationErrorCode.INFERENCE_FAILED);
    assert.match(joiner!.errors[0].message, /prefill: device lost/);
    assert.equal(joiner!.done.length, 0);
    assert.deepEqual(running.errors, []);
    assert.equal(running.done[0].text, expected, 'the running request is untouched by its neighbour failing');
    // The engine still serves.
    const later = submit(scheduler, 'later', long('Fresh coffee for'));
    await later.settled;
    assert.equal(later.done[0]?.text, expected);
    await scheduler.stop();
  });

  test('a failed decode fails exactly the running rows; a queued request then runs', { timeout: 30_000 }, async () => {
    const expected = await alone(long('Save time', 12));
    const scheduler = new BatchScheduler(model, { maxBatchSize: 2 });
    const a = submit(scheduler, 'a', long('Our plans are', 40), (t) => {
      if (t.index === 4) armed = (input) => !isPrefill(input);
    });
    const b = submit(scheduler, 'b', long('Hi there', 40));
    const queued = submit(scheduler, 'queued', long('Save time', 12));
    await Promise.all([a.settled, b.settled, queued.settled]);
    for (const failed of [a, b]) {
      assert.deepEqual(
        failed.errors.map((e) => e.code),
        [GenerationErrorCode.INFERENCE_FAILED],
      );
      assert.equal(failed.done.length, 0);
    }
    assert.deepEqual(queued.errors, []);
    assert.equal(queued.done[0]?.text, expected);
    await scheduler.stop();
    assert.equal(a.errors.length + b.errors.length, 2, 'stop() does not fail them twice');
  });

  test('a failure while sampling one row (its callback throws) fails that row only', { timeout: 30_000 }, async () => {
    const expected = await alone(long('Save time', 16));
    const scheduler = new BatchScheduler(model);
    const broken = submit(scheduler, 'broken', long('Our plans are', 16), (t) => {
      if (t.index === 2) throw new Error('listener failed');
    });
    const fine = submit(scheduler, 'fine', long('Save time', 16));
    await Promise.all([broken.settled, fine.settled]);
    assert.deepEqual(
      broken.errors.map((e) => e.code),
      [GenerationErrorCode.INFERENCE_FAILED],
    );
    assert.equal(fine.done[0]?.text, expected);
    await scheduler.stop();
  });

  test('stop() fails what is unfinished with ENGINE_CLOSED, never a request that already got onDone', { timeout: 30_000 }, async () => {
    const scheduler = new BatchScheduler(model, { maxBatchSize: 1 });
    let stopping: Promise<void> | null = null;
    const finished = submit(scheduler, 'finished', long('Hi', 3), undefined, () => (stopping = scheduler.stop()));
    const waiting = submit(scheduler, 'waiting', long('Save time', 3));
    await Promise.all([finished.settled, waiting.settled]);
    await stopping;
    assert.equal(finished.done.length, 1);
    assert.deepEqual(finished.errors, []);
    assert.deepEqual(
      waiting.errors.map((e) => e.code),
      [GenerationErrorCode.ENGINE_CLOSED],
    );
  });

  test('onProgress names the requests that moved, queued ones included', { timeout: 30_000 }, async () => {
    const seen = new Set<string>();
    const scheduler = new BatchScheduler(model, { maxBatchSize: 1, onProgress: (ids) => ids.forEach((id) => seen.add(id)) });
    const first = submit(scheduler, 'first', long('Hi', 4));
    const second = submit(scheduler, 'second', long('Save time', 4));
    await Promise.all([first.settled, second.settled]);
    await scheduler.stop();
    assert.deepEqual([...seen].sort(), ['first', 'second']);
  });
});
