import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTinyTextModel } from '../models/tiny-text-model';
import { TextEngine } from '../text/text-engine';
import { GenerationError, GenerationErrorCode } from '../text/generation-error';
import { generateVariants } from './generate-variants';
import { buildCopyPrompt } from './copy-prompt';
import { buildVoiceReport, GOOD_SCORE, readingGrade } from './voice-report';
import { CHANNEL_SPECS, type ChannelId } from './channel-specs';
import type { BrandVoice } from './brand-voice';

const brand: BrandVoice = {
  name: 'Acme Coffee',
  description: 'Fresh roasted coffee, delivered.',
  audience: 'busy professionals',
  toneTraits: [{ weAre: 'warm', weAreNot: 'cute' }],
  preferredTerms: ['fresh'],
  requiredTerms: [],
  bannedTerms: ['cheap'],
  styleRules: {
    oxfordComma: true,
    contractions: true,
    exclamationMarks: false,
    emoji: false,
    headlineCase: 'sentence',
    targetReadingGrade: 8,
  },
  exampleCopy: ['Fresh coffee at your door', 'Roasted this week, brewed in minutes'],
};

const dir = mkdtempSync(join(tmpdir(), 'variants-'));
let engine: TextEngine;
before(async () => {
  buildTinyTextModel({ dir, favour: ['cheap'], seed: 7 });
  engine = await TextEngine.start({ modelDir: dir, threads: 1 });
});
after(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

test('channel specs carry the platform limits', () => {
  const limits: [ChannelId, number][] = [
    ['GOOGLE_RSA_HEADLINE', 30],
    ['GOOGLE_RSA_DESCRIPTION', 90],
    ['GOOGLE_RSA_PATH', 15],
    ['PMAX_LONG_HEADLINE', 90],
    ['META_PRIMARY_TEXT', 125],
    ['META_HEADLINE', 40],
    ['LINKEDIN_INTRO', 150],
    ['EMAIL_SUBJECT', 60],
    ['EMAIL_PREHEADER', 90],
  ];
  for (const [id, max] of limits) assert.equal(CHANNEL_SPECS[id].maxChars, max);
});

test('the prompt carries the voice, the limit and few-shot examples that fit the channel', () => {
  const messages = buildCopyPrompt({ brand, channel: CHANNEL_SPECS.GOOGLE_RSA_HEADLINE, brief: 'Subscription launch' });
  assert.match(messages[0].content, /We are warm, but not cute/);
  assert.match(messages[0].content, /Never use: "cheap"/);
  assert.match(messages[0].content, /at most 30 characters/);
  assert.deepEqual(
    messages.filter((m) => m.role === 'assistant').map((m) => m.content),
    ['Fresh coffee at your door'],
  );
  assert.equal(messages.at(-1)!.content, 'Brief: Subscription launch');
});

test('voice reports check every rule and score breaks lower', () => {
  const good = buildVoiceReport('Fresh beans at your door', brand, CHANNEL_SPECS.GOOGLE_RSA_HEADLINE);
  assert.ok(good.score >= GOOD_SCORE, `${good.score} ${JSON.stringify(good.checks.filter((c) => !c.passed))}`);
  // A sample copied word for word is flagged (a soft check: it costs points, it breaks no hard rule).
  const copied = buildVoiceReport('Fresh coffee at your door', brand, CHANNEL_SPECS.GOOGLE_RSA_HEADLINE);
  assert.equal(copied.memorisation?.copied, true);
  assert.equal(copied.checks.find((c) => c.rule === 'memorisation')?.label, 'Copies a sample: "Fresh coffee at your door"');
  assert.ok(copied.score < good.score);
  const bad = buildVoiceReport('Cheap Coffee For Everyone Today!!! 🚀 Really Cheap', brand, CHANNEL_SPECS.GOOGLE_RSA_HEADLINE);
  const failed = bad.checks
    .filter((c) => !c.passed)
    .map((c) => c.rule)
    .sort();
  assert.deepEqual(failed, ['banned_terms', 'case', 'emoji', 'exclamation', 'length', 'preferred_terms', 'similarity']);
  assert.deepEqual(bad.bannedTermsFound, ['cheap']);
  assert.equal(good.hardRulesPassed, true);
  assert.equal(bad.hardRulesPassed, false);
  assert.ok(bad.score < good.score);
  assert.ok(
    readingGrade('The cat sat on the mat.') <
      readingGrade('Comprehensive organizational transformation necessitates considerable deliberation.'),
  );
});

test('generateVariants returns distinct ranked variants within the limit, without banned terms, with billing counts', async () => {
  const streamed = new Map<number, string>();
  const result = await generateVariants(
    engine,
    { brand, channel: 'GOOGLE_RSA_HEADLINE', brief: 'Fresh coffee subscription', variants: 4, seed: 1 },
    { onToken: (v, t) => streamed.set(v, (streamed.get(v) ?? '') + t.text) },
  );
  assert.equal(result.variants.length, 4);
  assert.equal(new Set(result.variants.map((v) => v.text.toLowerCase())).size, 4);
  for (const v of result.variants) {
    assert.ok(v.text.length <= 30, v.text);
    assert.doesNotMatch(v.text.toLowerCase(), /cheap/);
    assert.equal(v.report.bannedTermsFound.length, 0);
    // Streamed as decoded; the stored text may differ only by the headline case rewrite.
    assert.ok([...streamed.values()].some((s) => s.toLowerCase() === v.text.toLowerCase()));
  }
  const scores = result.variants.map((v) => v.report.score);
  assert.deepEqual(
    scores,
    [...scores].sort((a, b) => b - a),
  );
  assert.ok(result.promptTokens > 0 && result.outputTokens > 0);
  assert.equal(result.isDemo, true);
  const again = await generateVariants(engine, {
    brand,
    channel: 'GOOGLE_RSA_HEADLINE',
    brief: 'Fresh coffee subscription',
    variants: 4,
    seed: 1,
  });
  assert.deepEqual(
    again.variants.map((v) => v.text),
    result.variants.map((v) => v.text),
  );
});

test('an unknown channel and a bad variant count are typed errors', async () => {
  await assert.rejects(
    generateVariants(engine, { brand, channel: 'FAX' as ChannelId, brief: 'x' }),
    (e: GenerationError) => e.code === GenerationErrorCode.UNKNOWN_CHANNEL && e.field === 'channel',
  );
  await assert.rejects(
    generateVariants(engine, { brand, channel: 'EMAIL_SUBJECT', brief: 'x', variants: 0 }),
    (e: GenerationError) => e.field === 'variants',
  );
});
