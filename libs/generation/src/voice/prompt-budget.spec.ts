import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTinyTextModel } from '../models/tiny-text-model';
import { TextEngine } from '../text/text-engine';
import { GenerationErrorCode, type GenerationError } from '../text/generation-error';
import { generateVariants } from './generate-variants';
import { budgetCopyPrompt } from './prompt-budget';
import { CHANNEL_IDS, CHANNEL_SPECS } from './channel-specs';
import type { BrandVoice } from './brand-voice';

/** The prompt generateVariants sends (promptTokens in its result counts every run, retries included). */
async function promptFor(engine: TextEngine, channel: (typeof CHANNEL_IDS)[number]) {
  const spec = CHANNEL_SPECS[channel];
  return budgetCopyPrompt({ brand, channel: spec, brief }, spec.maxNewTokens, {
    contextLength: engine.contextLength,
    countTokens: (m) => engine.countTokens(m),
  });
}

/** A brand as marketers fill it in: three tone pairs, terms, rules and three pieces of example copy. */
const brand: BrandVoice = {
  name: 'Northwind Outfitters',
  description:
    'Northwind Outfitters makes repairable outdoor gear for people who hike, climb and camp in every season. ' +
    'Every jacket, pack and tent is built to last a decade, repaired for free, and traded back when you are done with it.',
  audience: 'weekend hikers and climbers in their twenties and thirties who care how their gear is made',
  toneTraits: [
    { weAre: 'confident', weAreNot: 'arrogant' },
    { weAre: 'warm and plain-spoken', weAreNot: 'folksy or cute' },
    { weAre: 'practical', weAreNot: 'preachy about sustainability' },
  ],
  preferredTerms: ['repairable', 'built to last', 'trail-tested', 'lifetime repairs', 'trade back'],
  requiredTerms: ['Northwind'],
  bannedTerms: ['cheap', 'eco-friendly', 'revolutionary'],
  styleRules: {
    oxfordComma: true,
    contractions: true,
    exclamationMarks: false,
    emoji: false,
    headlineCase: 'sentence',
    targetReadingGrade: 8,
  },
  exampleCopy: [
    'Northwind gear is built to last a decade. When a zip fails on the trail, send it back and we repair it for free.',
    'Trail-tested jackets from Northwind.',
    'Your pack has stories in it. Northwind repairs the torn straps and the broken buckles, so the next trip gets its own chapter too.',
  ],
};
const brief =
  'Announce the autumn range: a waterproof shell, an insulated mid layer and a 40 litre pack, all with lifetime repairs. ' +
  'Aim at hikers planning their first cold-weather trips; call to action: shop the autumn range.';

const root = mkdtempSync(join(tmpdir(), 'prompt-budget-'));
let demo: TextEngine;
let small: TextEngine;

before(async () => {
  // The demo model as `npm start` builds it, and the same model with half its context.
  buildTinyTextModel({ dir: join(root, 'demo'), size: 'test', seed: 4, name: 'test/demo' });
  buildTinyTextModel({ dir: join(root, 'small'), size: 'test', seed: 4, name: 'test/small', contextLength: 1024 });
  [demo, small] = await Promise.all([
    TextEngine.start({ modelDir: join(root, 'demo'), threads: 1 }),
    TextEngine.start({ modelDir: join(root, 'small'), threads: 1 }),
  ]);
});

after(async () => {
  await Promise.all([demo?.close(), small?.close()]);
  rmSync(root, { recursive: true, force: true });
});

describe('prompt budgeting', () => {
  test('a realistic brand generates for every channel on the demo model', { timeout: 120_000 }, async () => {
    assert.ok(demo.contextLength >= 2048, `demo context is ${demo.contextLength}`);
    for (const channel of CHANNEL_IDS) {
      const result = await generateVariants(demo, { brand, channel, brief, variants: 1, seed: 1 });
      assert.ok(result.variants.length >= 1, channel);
      const report = result.variants[0].report;
      const prompt = await promptFor(demo, channel);
      assert.ok(prompt.promptTokens + CHANNEL_SPECS[channel].maxNewTokens <= demo.contextLength, channel);
      assert.deepEqual(report.examplesDropped, prompt.examplesDropped, `${channel}: the report says what the prompt left out`);
      assert.deepEqual(report.voiceLinesShortened, [], `${channel}: the full voice fits`);
    }
  });

  test(
    'on a 1,024-position model every channel still generates; dropped examples are reported, longest first',
    { timeout: 120_000 },
    async () => {
      let droppedSomewhere = false;
      for (const channel of CHANNEL_IDS) {
        const spec = CHANNEL_SPECS[channel];
        const result = await generateVariants(small, { brand, channel, brief, variants: 1, seed: 1 });
        assert.ok(result.variants.length >= 1, channel);
        const prompt = await promptFor(small, channel);
        const counted = await small.countTokens(prompt.messages);
        assert.ok(counted + spec.maxNewTokens <= small.contextLength, `${channel}: prompt + copy fit`);
        const { examplesDropped } = result.variants[0].report;
        assert.deepEqual(examplesDropped, prompt.examplesDropped, `${channel}: the report says what the prompt left out`);
        const fitting = brand.exampleCopy.filter((e) => e.length <= spec.maxChars);
        for (const e of examplesDropped) assert.ok(fitting.includes(e), `${channel}: only examples it would use are dropped`);
        // Longest first: each dropped example is at least as long as every example kept.
        const kept = fitting.filter((e) => !examplesDropped.includes(e));
        for (const e of examplesDropped)
          assert.ok(
            kept.every((k) => k.length <= e.length),
            `${channel}: "${e}" dropped before a longer one`,
          );
        for (let i = 1; i < examplesDropped.length; i++) assert.ok(examplesDropped[i - 1].length >= examplesDropped[i].length);
        if (examplesDropped.length > 0) droppedSomewhere = true;
      }
      assert.ok(droppedSomewhere, 'the smaller context made some channel drop examples');
    },
  );

  test('examples go before any voice line is shortened; then soft lines; then PROMPT_TOO_LONG naming what to cut', async () => {
    const channel = CHANNEL_SPECS.PRODUCT_DESCRIPTION;
    const count = (messages: Parameters<TextEngine['countTokens']>[0]) => demo.countTokens(messages);
    const full = await budgetCopyPrompt({ brand, channel, brief }, 0, { contextLength: 100_000, countTokens: count });
    assert.deepEqual(full.examplesDropped, []);
    assert.equal(full.examplesUsed.length, 3);
    // Room for everything except the examples: all three go, nothing else is cut.
    const bare = await budgetCopyPrompt({ brand, channel, brief, examples: [] }, 0, { contextLength: 100_000, countTokens: count });
    const noExamples = await budgetCopyPrompt({ brand, channel, brief }, 0, { contextLength: bare.promptTokens, countTokens: count });
    assert.deepEqual(
      noExamples.examplesDropped,
      [...brand.exampleCopy].sort((a, b) => b.length - a.length),
    );
    assert.deepEqual(noExamples.shortened, []);
    // A few tokens less: the soft voice lines are shortened, in order, until it fits.
    const shorter = await budgetCopyPrompt({ brand, channel, brief }, 0, { contextLength: bare.promptTokens - 10, countTokens: count });
    assert.equal(shorter.examplesUsed.length, 0);
    assert.ok(shorter.shortened.length > 0 && shorter.shortened[0] === 'description', shorter.shortened.join());
    assert.ok(shorter.promptTokens <= bare.promptTokens - 10);
    assert.ok(!shorter.messages[0].content.includes('decade, repaired'), 'the description is cut to its first sentence');
    // A brief that no shortening can fit is refused, naming the brief first.
    const longBrief = brief.repeat(12);
    await assert.rejects(
      budgetCopyPrompt({ brand, channel, brief: longBrief }, channel.maxNewTokens, { contextLength: 512, countTokens: count }),
      (e: GenerationError) => {
        assert.equal(e.code, GenerationErrorCode.PROMPT_TOO_LONG);
        assert.equal(e.field, 'brief');
        assert.match(e.message, /Cut at least \d+ tokens from the brief \(~\d+ tokens\)/);
        assert.match(e.message, /context of 512 positions keeps 256/);
        return true;
      },
    );
  });
});
