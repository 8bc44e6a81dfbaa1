import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTinyTextModel } from '../models/tiny-text-model';
import { TextEngine } from './text-engine';
import { GenerationError, GenerationErrorCode } from './generation-error';
import type { GenerationRequest, StreamedToken } from './generation-request';

const root = mkdtempSync(join(tmpdir(), 'text-engine-'));
const favourDir = join(root, 'favour');
const fp16Dir = join(root, 'fp16-int32');
let engine: TextEngine;

before(async () => {
  buildTinyTextModel({ dir: favourDir, favour: ['cheap'], seed: 7, name: 'test/favour' });
  buildTinyTextModel({ dir: fp16Dir, cacheType: 'float16', idType: 'int32', seed: 3, name: 'test/fp16' });
  engine = await TextEngine.start({ modelDir: favourDir, threads: 1 });
});

after(async () => {
  await engine?.close();
  rmSync(root, { recursive: true, force: true });
});

const prompts = ['Write a headline for fresh coffee', 'Hi', 'Describe our running shoes in one line, please', 'Save time', 'Our plans are'];

describe('TextEngine on a tiny model', () => {
  test('reports the model id and that it is a demo model', () => {
    assert.equal(engine.modelId, 'test/favour');
    assert.equal(engine.isDemo, true);
  });

  test('the same seed gives the same text; another seed gives another', async () => {
    const req: GenerationRequest = { prompt: 'Fresh coffee', maxNewTokens: 24, temperature: 1, topK: 50, topP: 0.95, seed: 11 };
    const [a, b, c] = await Promise.all([engine.generate(req), engine.generate(req), engine.generate({ ...req, seed: 12 })]);
    assert.equal(a.text, b.text);
    assert.notEqual(a.text, c.text);
  });

  test('batched greedy output equals sequential greedy output', async () => {
    const sequential = [];
    for (const prompt of prompts) sequential.push((await engine.generate({ prompt, maxNewTokens: 20 })).text);
    // Staggered: later requests join while earlier ones are decoding, and short ones leave early.
    const batched = await Promise.all(
      prompts.map(async (prompt, i) => {
        await new Promise((resolve) => setTimeout(resolve, i * 3));
        return (await engine.generate({ prompt, maxNewTokens: 20 })).text;
      }),
    );
    assert.deepEqual(batched, sequential);
    assert.ok(new Set(sequential).size > 1, 'prompts should lead to different outputs');
  });

  test('greedy output is unchanged when requests join mid-decode and leave at different steps', async () => {
    const lengths = [24, 5, 17, 9, 13];
    const request = (i: number): GenerationRequest => ({ prompt: prompts[i], maxNewTokens: lengths[i], ignoreEos: true });
    const alone = [];
    for (let i = 0; i < prompts.length; i++) alone.push((await engine.generate(request(i))).text);
    // The first request is decoding when 1 and 2 join; 3 and 4 join when 1 has streamed tokens,
    // and 1 (5 tokens) and 3 (9 tokens) leave while the others go on: the cache is repacked each time.
    const results: Promise<string>[] = [];
    const start = (i: number, onToken?: (t: StreamedToken) => void) =>
      results.push(engine.generate(request(i), { onToken }).then((r) => r.text));
    const joined = new Promise<void>((resolve) => {
      start(0, (t) => {
        if (t.index !== 0) return;
        start(1, (u) => u.index === 2 && (start(3), start(4), resolve()));
        start(2);
      });
    });
    await joined;
    // results[i] is request i: they are started in index order.
    assert.deepEqual(await Promise.all(results), alone);
  });

  test('a banned term the model strongly favours never appears in 200 seeded samples, and limits hold', async () => {
    // Without the constraint the model writes the term (in any case, often across tokens) almost every time.
    const free = await Promise.all(
      Array.from({ length: 40 }, (_, seed) =>
        engine.generate({ prompt: prompts[seed % prompts.length], maxNewTokens: 30, temperature: 1, seed }),
      ),
    );
    const withTerm = free.filter((r) => r.text.toLowerCase().includes('cheap')).length;
    assert.ok(withTerm >= 30, `the model must strongly favour the term (${withTerm}/40) for this test to mean anything`);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, seed) =>
        engine.generate({
          prompt: prompts[seed % prompts.length],
          maxNewTokens: 30,
          temperature: 1,
          seed,
          bannedTerms: ['CHEAP'],
          maxChars: 20 + (seed % 40),
        }),
      ),
    );
    for (const [seed, r] of results.entries()) {
      assert.doesNotMatch(r.text.toLowerCase(), /cheap/, `seed ${seed}: ${r.text}`);
      assert.ok(r.text.length <= 20 + (seed % 40), `seed ${seed}: ${r.text.length} chars`);
    }
  });

  test('a character limit ends at a word boundary', async () => {
    const r = await engine.generate({ prompt: 'Hi', maxNewTokens: 60, maxChars: 25, temperature: 0.7, seed: 3 });
    assert.ok(r.text.length <= 25);
    assert.equal(r.text, r.text.trim());
  });

  test('a stop string ends generation and is not part of the text', async () => {
    const free = await engine.generate({ prompt: 'Hello there', maxNewTokens: 40 });
    const stop = free.text.slice(6, 9);
    assert.ok(stop.trim().length > 0);
    const r = await engine.generate({ prompt: 'Hello there', maxNewTokens: 40, stop: [stop] });
    assert.equal(r.finishReason, 'stop');
    assert.ok(!r.text.includes(stop));
    assert.ok(free.text.startsWith(r.text));
    assert.ok(r.outputTokens < free.outputTokens);
  });

  test('tokens stream in order and add up to the result text', async () => {
    const tokens: StreamedToken[] = [];
    const r = await engine.generate(
      { prompt: 'Fresh coffee', maxNewTokens: 30, temperature: 0.9, seed: 4, maxChars: 50 },
      { onToken: (t) => tokens.push(t) },
    );
    assert.ok(tokens.length > 0);
    tokens.forEach((t, i) => assert.equal(t.index, i));
    assert.equal(tokens.map((t) => t.text).join(''), r.text);
  });

  test('text never holds U+0000 or undecodable bytes, streamed or final, even from random weights', async () => {
    // The fp16 model's weights are random and favour nothing, so it writes lone byte tokens often.
    const random = await TextEngine.start({ modelDir: fp16Dir, threads: 1 });
    try {
      for (let seed = 0; seed < 40; seed++) {
        const pieces: string[] = [];
        const r = await random.generate(
          { prompt: 'Write a headline', maxNewTokens: 24, temperature: 1.5, seed, ignoreEos: true },
          { onToken: (t) => pieces.push(t.text) },
        );
        assert.ok(!r.text.includes(String.fromCharCode(0)) && !r.text.includes('\uFFFD'), `seed ${seed}: ${JSON.stringify(r.text)}`);
        assert.equal(pieces.join(''), r.text);
      }
    } finally {
      await random.close();
    }
  });

  test('the calling thread stays responsive while the worker decodes', async () => {
    let turns = 0;
    const timer = setInterval(() => turns++, 0);
    await engine.generate({ prompt: 'Hello', maxNewTokens: 200, ignoreEos: true });
    clearInterval(timer);
    assert.ok(turns > 0);
  });

  test('AbortSignal cancels a running request; the others finish', async () => {
    const controller = new AbortController();
    const tokens: StreamedToken[] = [];
    const cancelled = engine.generate(
      { prompt: 'Hello', maxNewTokens: 400, ignoreEos: true },
      { signal: controller.signal, onToken: (t) => (tokens.push(t), t.index === 3 && controller.abort()) },
    );
    const other = engine.generate({ prompt: 'Save time', maxNewTokens: 10 });
    await assert.rejects(cancelled, (e: GenerationError) => e.code === GenerationErrorCode.CANCELLED);
    assert.ok((await other).outputTokens > 0);
  });

  test('bad input gets a typed error naming the problem; the engine keeps serving', async () => {
    const bad = [
      [{ prompt: 'x', temperature: -1 }, GenerationErrorCode.INVALID_PARAMETERS, 'temperature'],
      [{ prompt: 'x', maxNewTokens: 0 }, GenerationErrorCode.INVALID_PARAMETERS, 'maxNewTokens'],
      [{ prompt: 'word '.repeat(2500) }, GenerationErrorCode.PROMPT_TOO_LONG, 'prompt'], // past the 2,048-position context
    ] as const;
    const good = engine.generate({ prompt: 'Save time', maxNewTokens: 8 });
    for (const [request, code, field] of bad) {
      await assert.rejects(engine.generate(request as GenerationRequest), (e: GenerationError) => e.code === code && e.field === field);
    }
    assert.ok((await good).outputTokens > 0);
  });
});

describe('models with other signatures and broken models', () => {
  test('an int32-id, float16-cache model runs, deterministically', async () => {
    const fp16 = await TextEngine.start({ modelDir: fp16Dir, threads: 1 });
    try {
      const req = { prompt: 'Fresh coffee', maxNewTokens: 16 };
      const [a, b] = await Promise.all([fp16.generate(req), fp16.generate({ prompt: 'Hi', maxNewTokens: 16 })]);
      assert.equal((await fp16.generate(req)).text, a.text);
      assert.ok(a.outputTokens > 0 && b.outputTokens > 0);
    } finally {
      await fp16.close();
    }
  });

  test('an unknown model and a corrupt model file are typed errors', async () => {
    await assert.rejects(
      TextEngine.start({ modelDir: join(root, 'missing') }),
      (e: GenerationError) => e.code === GenerationErrorCode.MODEL_NOT_FOUND,
    );
    const corrupt = join(root, 'corrupt');
    cpSync(favourDir, corrupt, { recursive: true });
    writeFileSync(join(corrupt, 'onnx', 'model.onnx'), 'not a model');
    await assert.rejects(
      TextEngine.start({ modelDir: corrupt }),
      (e: GenerationError) => e.code === GenerationErrorCode.MODEL_INVALID && /model\.onnx/.test(e.message),
    );
  });
});
