/**
 * Continuous batching. Requests that arrive while others are decoding join between decode steps:
 * their prompts are prefilled together (left-padded), their caches are merged into the running
 * batch, and from then on every decode step is one forward pass for all of them. A finished or
 * cancelled request leaves at the next step boundary. The cache lives in reused buffers (see
 * kv-cache.ts) and the per-step id/mask arrays are reused too: a decode step allocates nothing the
 * size of the batch's cache. Each request keeps its own sampling
 * parameters, seed and constraints.
 *
 * Left padding + attention_mask + per-row position_ids (HF's cumsum(mask) - 1) make a row's
 * attention independent of its neighbours, so greedy output alone and in a batch is the same.
 */
import type { DecoderModel } from './decoder-model';
import { KvCache, type CacheArray, type KvRowSource } from './kv-cache';
import type { IdArray } from './decoder-model';
import { OutputText } from './output-text';
import { TermForcer } from './output-constraints';
import { sampleToken, seededRandom, type SamplingParams } from './sampler';
import { GenerationError, GenerationErrorCode } from './generation-error';
import {
  validateRequest,
  type FinishReason,
  type GenerationRequest,
  type GenerationResult,
  type StreamedToken,
} from './generation-request';

export interface RequestCallbacks {
  /** Absent when nobody streams: the text is still assembled, nothing is sent per token. */
  onToken?(token: StreamedToken): void;
  onDone(result: GenerationResult): void;
  onError(error: GenerationError): void;
}

interface ActiveRequest {
  id: string;
  promptIds: number[];
  params: SamplingParams;
  maxNewTokens: number;
  ignoreEos: boolean;
  maxChars?: number;
  random: () => number;
  output: OutputText;
  /** Writes required terms when the budget left only just holds them. */
  forcer: TermForcer;
  generated: number[];
  callbacks: RequestCallbacks;
  /** Positions in the cache (prompt + fed tokens). */
  realLength: number;
  /** The token to feed at the next decode step. */
  nextToken: number;
  cancelled: boolean;
  /** Its batched prefill failed: it is prefilled alone, so only a prompt that fails by itself fails. */
  isolate: boolean;
  /** onDone or onError was called: the request is settled and never told anything again. */
  finished: boolean;
}

export interface SchedulerOptions {
  maxBatchSize?: number;
  /**
   * Told after each step which requests moved on: those that were prefilled or got a token, and
   * those still queued behind a batch that is moving. The engine's watchdog listens to it.
   */
  onProgress?(ids: string[]): void;
}

export class BatchScheduler {
  private readonly pending: ActiveRequest[] = [];
  private active: ActiveRequest[] = [];
  private readonly cache: KvCache;
  private wake: (() => void) | null = null;
  private stopped = false;
  private readonly maxBatch: number;
  private readonly onProgress: ((ids: string[]) => void) | undefined;
  readonly loop: Promise<void>;

  constructor(
    private readonly model: DecoderModel,
    options: SchedulerOptions = {},
  ) {
    this.maxBatch = options.maxBatchSize ?? 16;
    this.onProgress = options.onProgress;
    const { signature, makeCache } = model;
    this.cache = new KvCache(2 * signature.layers, signature.kvHeads, signature.headDim, makeCache, signature.contextLength);
    this.loop = this.run();
  }

  /** Validates and queues a request; problems with it go to onError, never to other requests. */
  submit(id: string, request: GenerationRequest, callbacks: RequestCallbacks): void {
    try {
      this.pending.push(this.prepare(id, request, callbacks));
      this.wake?.();
    } catch (error) {
      callbacks.onError(asGenerationError(error));
    }
  }

  cancel(id: string): void {
    const index = this.pending.findIndex((r) => r.id === id);
    if (index >= 0) this.pending.splice(index, 1);
    const row = this.active.find((r) => r.id === id);
    if (row) row.cancelled = true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  private prepare(id: string, request: GenerationRequest, callbacks: RequestCallbacks): ActiveRequest {
    validateRequest(request);
    const { tokenizer, signature } = this.model;
    const text = request.messages ? tokenizer.applyChatTemplate(request.messages) : request.prompt!;
    const promptIds = tokenizer.encode(text);
    if (promptIds.length === 0) throw new GenerationError(GenerationErrorCode.INVALID_PARAMETERS, 'prompt is empty', 'prompt');
    if (promptIds.length >= signature.contextLength) {
      throw new GenerationError(
        GenerationErrorCode.PROMPT_TOO_LONG,
        `prompt is ${promptIds.length} tokens; the model's context is ${signature.contextLength}`,
        'prompt',
      );
    }
    return {
      id,
      promptIds,
      params: {
        temperature: request.temperature ?? 0,
        topK: request.topK ?? 0,
        topP: request.topP ?? 1,
        repetitionPenalty: request.repetitionPenalty ?? 1,
      },
      maxNewTokens: Math.min(request.maxNewTokens ?? 64, signature.contextLength - promptIds.length),
      ignoreEos: request.ignoreEos ?? false,
      maxChars: request.maxChars,
      random: seededRandom(request.seed ?? 0),
      output: new OutputText(
        tokenizer,
        {
          bannedTerms: request.bannedTerms ?? [],
          maxChars: request.maxChars,
          stop: request.stop ?? [],
          forbid: { exclamation: !!request.noExclamation, emoji: !!request.noEmoji, contractions: !!request.noContractions },
          requiredTerms: request.requiredTerms ?? [],
        },
        this.model.pieceLengths,
      ),
      forcer: new TermForcer(request.requiredTerms ?? [], (text) => tokenizer.encode(text)),
      generated: [],
      callbacks,
      realLength: 0,
      nextToken: -1,
      cancelled: false,
      isolate: false,
      finished: false,
    };
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.pending.length === 0 && this.active.length === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      // step() fails the requests a broken forward pass touched and never throws; this guard is
      // for our own bugs, so that one cannot leave a request waiting forever.
      try {
        await this.step();
      } catch (error) {
        const failure = inferenceError(error, 'step');
        for (const row of [...this.active, ...this.pending.splice(0)]) this.fail(row, failure);
        this.active = [];
        this.cache.clear();
      }
      this.reportProgress();
      // Let queued messages (new requests, cancellations) in between steps.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const closed = new GenerationError(GenerationErrorCode.ENGINE_CLOSED, 'the text engine was closed');
    for (const row of [...this.active, ...this.pending.splice(0)]) this.fail(row, closed);
  }

  /** Settles a request with an error, once: a request that already got onDone is left alone. */
  private fail(r: ActiveRequest, error: GenerationError): void {
    if (r.finished) return;
    r.finished = true;
    try {
      r.callbacks.onError(error);
    } catch {
      /* the caller's callback failing must not take the other requests down */
    }
  }

  /** Requests that moved during the last step: advanced, or queued behind a batch that moved. */
  private readonly progressed = new Set<string>();

  private reportProgress(): void {
    if (!this.onProgress || this.progressed.size === 0) return;
    for (const r of this.pending) this.progressed.add(r.id);
    const ids = [...this.progressed];
    this.progressed.clear();
    this.onProgress(ids);
  }

  private async step(): Promise<void> {
    this.dropLeavers();
    const room = Math.max(0, this.maxBatch - this.active.length);
    const joining = this.pending.splice(0, this.pending[0]?.isolate ? Math.min(1, room) : room);
    if (joining.length > 0) {
      let block: { tensors: CacheArray[]; length: number };
      try {
        block = await this.prefill(joining);
      } catch (error) {
        // Only the joining prompts were in this pass: the running batch and its cache are intact.
        // Several prompts together: retry each alone, so one bad prompt fails no one else.
        if (joining.length > 1) {
          for (const r of joining) r.isolate = true;
          this.pending.unshift(...joining);
          return;
        }
        this.fail(joining[0], inferenceError(error, 'prefill'));
        if (this.active.length === 0) this.cache.clear();
        return;
      }
      const staying = joining.filter((r) => !r.finished && !r.cancelled);
      const past = this.cache.past();
      const sources: KvRowSource[] = [
        ...this.active.map((r, row) => ({ tensors: past, length: this.cache.length, row, realLength: r.realLength })),
        ...joining
          .map((r, row) => ({ tensors: block.tensors, length: block.length, row, realLength: r.realLength }))
          .filter((_, i) => !joining[i].finished && !joining[i].cancelled),
      ];
      this.active = [...this.active, ...staying];
      if (sources.length > 0) this.repack(sources);
    }
    if (this.active.length === 0) {
      this.cache.clear();
      return;
    }
    try {
      await this.decode();
    } catch (error) {
      // Every running row was in the failed pass, and the cache may be half-written: start clean.
      const failure = inferenceError(error, 'decode');
      for (const r of this.active) this.fail(r, failure);
      this.active = [];
      this.cache.clear();
    }
  }

  /** Removes finished and cancelled rows, repacking the cache when the batch's members changed. */
  private dropLeavers(): void {
    const keep: number[] = [];
    this.active.forEach((r, i) => {
      if (!r.finished && !r.cancelled) keep.push(i);
    });
    if (keep.length === this.active.length) return;
    const past = this.cache.past();
    const sources = keep.map((i) => ({ tensors: past, length: this.cache.length, row: i, realLength: this.active[i].realLength }));
    this.active = keep.map((i) => this.active[i]);
    if (sources.length > 0) this.repack(sources);
    else this.cache.clear();
  }

  private repack(sources: KvRowSource[]): void {
    this.cache.repack(sources);
    // Appending slices in place needs no second buffer between join/leave events.
    if (this.model.cacheSlices) this.cache.dropSpare();
  }

  /** Prefills new prompts together (left-padded); their cache is ORT's output, merged right after. */
  private async prefill(rows: ActiveRequest[]): Promise<{ tensors: CacheArray[]; length: number }> {
    const length = rows.reduce((m, r) => Math.max(m, r.promptIds.length), 0);
    const n = rows.length * length;
    const { makeIds, padId } = this.model;
    const ids = makeIds(n);
    const mask = makeIds(n);
    const positions = makeIds(n);
    rows.forEach((r, b) => {
      const pad = length - r.promptIds.length;
      for (let i = 0; i < length; i++) {
        const real = i >= pad;
        setId(ids, b * length + i, real ? r.promptIds[i - pad] : padId);
        setId(mask, b * length + i, real ? 1 : 0);
        setId(positions, b * length + i, real ? i - pad : 1);
      }
      r.realLength = r.promptIds.length;
    });
    const out = await this.model.forward({ ids, mask, positions, batch: rows.length, length, pastLength: 0, past: [] });
    rows.forEach((r, b) => this.advance(r, out.logits.subarray((b * length + length - 1) * out.vocab, (b * length + length) * out.vocab)));
    return { tensors: out.present, length };
  }

  private async decode(): Promise<void> {
    const rows = this.active;
    const cache = this.cache;
    const batch = rows.length;
    const total = cache.length + 1;
    const inputs = this.decodeInputs(batch, total);
    for (let b = 0; b < batch; b++) {
      const r = rows[b];
      setId(inputs.ids, b, r.nextToken);
      setId(inputs.positions, b, r.realLength);
      const pad = total - (r.realLength + 1);
      const row = b * total;
      for (let i = 0; i < total; i++) setId(inputs.mask, row + i, i >= pad ? 1 : 0);
    }
    if (this.model.cacheSlices) {
      // Fetch only the new position's key/value and append it to the cache in place.
      const out = await this.model.forward({ ...inputs, batch, length: 1, pastLength: cache.length, past: cache.past() });
      cache.append(out.present, 1);
      this.afterDecode(out);
      return;
    }
    const present = cache.presentTargets(1);
    const out = await this.model.forward({ ...inputs, batch, length: 1, pastLength: cache.length, past: cache.past(), present });
    cache.commit(1);
    this.afterDecode(out);
  }

  private afterDecode(out: { logits: Float32Array; vocab: number }): void {
    const rows = this.active;
    rows.forEach((r, b) => {
      r.realLength += 1;
      if (!r.cancelled) this.advance(r, out.logits.subarray(b * out.vocab, (b + 1) * out.vocab));
    });
  }

  /** Decode-step id/position/mask arrays, reused while they are big enough. */
  private decodeInputs(batch: number, total: number): { ids: IdArray; positions: IdArray; mask: IdArray } {
    const { makeIds } = this.model;
    if (!this.idBuffers || this.idBuffers.ids.length < batch || this.idBuffers.mask.length < batch * total) {
      const rows = Math.max(batch, this.maxBatch);
      const positions = Math.max(total, 64) * 2;
      this.idBuffers = { ids: makeIds(rows), positions: makeIds(rows), mask: makeIds(rows * positions) };
    }
    const { ids, positions, mask } = this.idBuffers;
    return { ids: ids.subarray(0, batch), positions: positions.subarray(0, batch), mask: mask.subarray(0, batch * total) };
  }

  private idBuffers: { ids: IdArray; positions: IdArray; mask: IdArray } | null = null;

  /** advance(), but a failure there (sampling, constraints, the caller's callbacks) fails only this row. */
  private advance(r: ActiveRequest, logits: Float32Array): void {
    if (r.cancelled || r.finished) return;
    try {
      this.sampleAndStream(r, logits);
      this.progressed.add(r.id);
    } catch (error) {
      this.fail(r, inferenceError(error, 'sampling'));
    }
  }

  /** Picks a row's next token from its logits, streams it, and finishes the row when it is done. */
  private sampleAndStream(r: ActiveRequest, logits: Float32Array): void {
    const { eosIds, pieceLengths, signature } = this.model;
    const limit = r.maxChars;
    const blocked = (id: number) =>
      (r.ignoreEos && eosIds.has(id)) || (limit !== undefined && !eosIds.has(id) && r.output.text.length + pieceLengths[id] > limit);
    const token = this.nextToken(r, logits, blocked);

    let reason: FinishReason | null = null;
    if (token < 0) {
      reason = limit !== undefined ? 'max_chars' : 'constraints';
    } else {
      r.generated.push(token);
      r.nextToken = token;
      if (eosIds.has(token) && !r.ignoreEos) {
        // End-of-text only because the limit left nothing else: that is the limit speaking.
        reason = limit !== undefined && !eosIds.has(argmax(logits)) ? 'max_chars' : 'eos';
      } else {
        r.output.append(token);
        if (r.output.cutAtStop()) reason = 'stop';
        else if (r.generated.length >= r.maxNewTokens) reason = 'max_tokens';
        else if (r.realLength + 1 >= signature.contextLength) reason = 'context';
      }
    }
    if (reason) {
      const best = argmax(logits);
      const continuesWord = /^[\p{L}\p{N}]/u.test(this.model.tokenizer.decode([best]));
      r.output.finish(reason, reason === 'max_chars' || reason === 'constraints' ? continuesWord : false);
    }
    const text = r.output.takeStreamable(reason !== null);
    if (r.callbacks.onToken && (token >= 0 || text))
      r.callbacks.onToken({ index: r.generated.length - (token >= 0 ? 1 : 0), tokenId: token, text });
    if (reason) {
      r.finished = true;
      r.callbacks.onDone({
        text: r.output.text,
        finishReason: reason,
        promptTokens: r.promptIds.length,
        outputTokens: r.generated.length,
        modelId: this.model.id,
        isDemo: this.model.isDemo,
        constraints: { vetoed: { ...r.output.vetoed }, forcedTerms: [...r.forcer.forced] },
      });
    }
  }

  /**
   * A forced token of a required term when one is under way or the budget left requires it;
   * otherwise a sampled one. A model that wants to end (end-of-text, or every candidate vetoed)
   * before the required terms are written gets them forced instead.
   */
  private nextToken(r: ActiveRequest, logits: Float32Array, blocked: (id: number) => boolean): number {
    const { eosIds } = this.model;
    const { forcer, output } = r;
    if (forcer.active) {
      const continued = forcer.continueForcing();
      if (continued !== null) return continued;
      const room = r.maxChars === undefined ? Infinity : r.maxChars - output.text.length;
      if (forcer.mustForce(output.text, room, r.maxNewTokens - r.generated.length)) {
        const first = forcer.startForcing(output.text);
        if (first !== null) return first;
      }
    }
    const token = sampleToken(logits, r.params, r.random, r.generated, blocked, (id) => !eosIds.has(id) && output.violates(id));
    const ending = token < 0 || (eosIds.has(token) && !r.ignoreEos);
    if (ending && forcer.active && output.missingRequired().length > 0) return forcer.startForcing(output.text) ?? token;
    return token;
  }
}

function setId(array: IdArray, index: number, value: number): void {
  if (array instanceof BigInt64Array) array[index] = BigInt(value);
  else array[index] = value;
}

function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

export function asGenerationError(error: unknown): GenerationError {
  if (error instanceof GenerationError) return error;
  return new GenerationError(GenerationErrorCode.INTERNAL, `inference failed: ${(error as Error)?.message ?? String(error)}`);
}

/** A failure while running the model: INFERENCE_FAILED naming the phase, unless it is already coded. */
function inferenceError(error: unknown, phase: 'prefill' | 'decode' | 'sampling' | 'step'): GenerationError {
  if (error instanceof GenerationError) return error;
  const message = ((error as Error)?.message ?? String(error)).split('\n')[0];
  return new GenerationError(GenerationErrorCode.INFERENCE_FAILED, `the model failed during ${phase}: ${message}`);
}
