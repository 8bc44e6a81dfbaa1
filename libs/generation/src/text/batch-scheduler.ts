/**
 * Continuous batching. Requests that arrive while others are decoding join between decode steps:
 * their prompts are prefilled together (left-padded), their caches are merged into the running
 * batch, and from then on every decode step is one forward pass for all of them. A finished or
 * cancelled request leaves at the next step boundary. Each request keeps its own sampling
 * parameters, seed and constraints.
 *
 * Left padding + attention_mask + per-row position_ids (HF's cumsum(mask) - 1) make a row's
 * attention independent of its neighbours, so greedy output alone and in a batch is the same.
 */
import type { DecoderModel } from './decoder-model';
import { packKvRows, type KvBlock, type CacheArray } from './kv-cache';
import { OutputText } from './output-text';
import { sampleToken, seededRandom, type SamplingParams } from './sampler';
import { GenerationError, GenerationErrorCode } from './generation-error';
import { validateRequest, type FinishReason, type GenerationRequest, type GenerationResult, type StreamedToken } from './generation-request';

export interface RequestCallbacks {
  onToken(token: StreamedToken): void;
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
  generated: number[];
  callbacks: RequestCallbacks;
  /** Positions in the cache (prompt + fed tokens). */
  realLength: number;
  /** The token to feed at the next decode step. */
  nextToken: number;
  cancelled: boolean;
  finished: boolean;
}

export interface SchedulerOptions {
  maxBatchSize?: number;
}

export class BatchScheduler {
  private readonly pending: ActiveRequest[] = [];
  private active: ActiveRequest[] = [];
  private cache: KvBlock | null = null;
  private wake: (() => void) | null = null;
  private stopped = false;
  private readonly maxBatch: number;
  readonly loop: Promise<void>;

  constructor(
    private readonly model: DecoderModel,
    options: SchedulerOptions = {},
  ) {
    this.maxBatch = options.maxBatchSize ?? 16;
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
        { bannedTerms: request.bannedTerms ?? [], maxChars: request.maxChars, stop: request.stop ?? [] },
        this.model.pieceLengths,
      ),
      generated: [],
      callbacks,
      realLength: 0,
      nextToken: -1,
      cancelled: false,
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
      try {
        await this.step();
      } catch (error) {
        // A failed forward pass fails the requests in it; the engine keeps serving new ones.
        const failure = asGenerationError(error);
        for (const row of [...this.active, ...this.pending.splice(0)]) row.callbacks.onError(failure);
        this.active = [];
        this.cache = null;
      }
      // Let queued messages (new requests, cancellations) in between steps.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const closed = new GenerationError(GenerationErrorCode.ENGINE_CLOSED, 'the text engine was closed');
    for (const row of [...this.active, ...this.pending.splice(0)]) row.callbacks.onError(closed);
  }

  private async step(): Promise<void> {
    if (this.dropLeavers()) this.repack();
    const joining = this.pending.splice(0, Math.max(0, this.maxBatch - this.active.length));
    if (joining.length > 0) {
      const block = await this.prefill(joining);
      const staying = joining.filter((r) => !r.finished && !r.cancelled);
      const refs = [
        ...this.active.map((r, row) => ({ block: this.cache!, row, realLength: r.realLength })),
        ...joining.map((r, row) => ({ block, row, realLength: r.realLength })).filter((_, i) => !joining[i].finished && !joining[i].cancelled),
      ];
      this.active = [...this.active, ...staying];
      this.cache = refs.length ? packKvRows(refs, this.model.signature.kvHeads, this.model.signature.headDim, this.model.makeCache) : null;
    }
    if (this.active.length > 0) await this.decode();
  }

  /** Removes finished and cancelled rows; true when the batch's members changed. */
  private dropLeavers(): boolean {
    const keep: number[] = [];
    this.active.forEach((r, i) => {
      if (!r.finished && !r.cancelled) keep.push(i);
    });
    if (keep.length === this.active.length) return false;
    this.previous = { rows: keep, cache: this.cache };
    this.active = keep.map((i) => this.active[i]);
    return true;
  }

  private previous: { rows: number[]; cache: KvBlock | null } | null = null;

  private repack(): void {
    const prev = this.previous;
    this.previous = null;
    if (!prev?.cache || this.active.length === 0) {
      this.cache = null;
      return;
    }
    const refs = prev.rows.map((row, i) => ({ block: prev.cache!, row, realLength: this.active[i].realLength }));
    this.cache = packKvRows(refs, this.model.signature.kvHeads, this.model.signature.headDim, this.model.makeCache);
  }

  private async prefill(rows: ActiveRequest[]): Promise<KvBlock> {
    const length = rows.reduce((m, r) => Math.max(m, r.promptIds.length), 0);
    const ids: number[] = [];
    const mask: number[] = [];
    const positions: number[] = [];
    for (const r of rows) {
      const pad = length - r.promptIds.length;
      for (let i = 0; i < length; i++) {
        const real = i >= pad;
        ids.push(real ? r.promptIds[i - pad] : this.model.padId);
        mask.push(real ? 1 : 0);
        positions.push(real ? i - pad : 1);
      }
      r.realLength = r.promptIds.length;
    }
    const empty = { tensors: [] as CacheArray[], batch: rows.length, length: 0 };
    const out = await this.model.forward(ids, mask, positions, rows.length, length, empty);
    rows.forEach((r, b) => this.advance(r, out.logits.subarray((b * length + length - 1) * out.vocab, (b * length + length) * out.vocab)));
    return out.cache;
  }

  private async decode(): Promise<void> {
    const rows = this.active;
    const cache = this.cache!;
    const total = cache.length + 1;
    const mask: number[] = [];
    for (const r of rows) {
      const pad = total - (r.realLength + 1);
      for (let i = 0; i < total; i++) mask.push(i >= pad ? 1 : 0);
    }
    const out = await this.model.forward(
      rows.map((r) => r.nextToken),
      mask,
      rows.map((r) => r.realLength),
      rows.length,
      1,
      cache,
    );
    this.cache = out.cache;
    rows.forEach((r, b) => {
      r.realLength += 1;
      if (!r.cancelled) this.advance(r, out.logits.subarray(b * out.vocab, (b + 1) * out.vocab));
    });
  }

  /** Picks a row's next token from its logits, streams it, and finishes the row when it is done. */
  private advance(r: ActiveRequest, logits: Float32Array): void {
    if (r.cancelled) return;
    const { eosIds, pieceLengths, signature } = this.model;
    const limit = r.maxChars;
    const blocked = (id: number) =>
      (r.ignoreEos && eosIds.has(id)) || (limit !== undefined && !eosIds.has(id) && r.output.text.length + pieceLengths[id] > limit);
    const token = sampleToken(logits, r.params, r.random, r.generated, blocked, (id) => !eosIds.has(id) && r.output.violates(id));

    let reason: FinishReason | null = null;
    if (token < 0) {
      reason = limit !== undefined ? 'max_chars' : 'constraints';
    } else {
      r.generated.push(token);
      r.nextToken = token;
      if (eosIds.has(token) && !r.ignoreEos) {
        // End-of-text only because the limit left nothing else: that is the limit speaking.
        reason = limit !== undefined && !eosIds.has(argmax(logits)) ? 'max_chars' : 'eos';
      }
      else {
        r.output.append(token);
        if (r.output.cutAtStop()) reason = 'stop';
        else if (r.generated.length >= r.maxNewTokens) reason = 'max_tokens';
        else if (r.realLength + 1 >= signature.contextLength) reason = 'context';
      }
    }
    if (reason) {
      r.finished = true;
      const best = argmax(logits);
      const continuesWord = /^[\p{L}\p{N}]/u.test(this.model.tokenizer.decode([best]));
      r.output.finish(reason, reason === 'max_chars' || reason === 'constraints' ? continuesWord : false);
    }
    const text = r.output.takeStreamable(r.finished);
    if (token >= 0 || text) r.callbacks.onToken({ index: r.generated.length - (token >= 0 ? 1 : 0), tokenId: token, text });
    if (reason) {
      r.callbacks.onDone({
        text: r.output.text,
        finishReason: reason,
        promptTokens: r.promptIds.length,
        outputTokens: r.generated.length,
        modelId: this.model.id,
        isDemo: this.model.isDemo,
      });
    }
  }

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
