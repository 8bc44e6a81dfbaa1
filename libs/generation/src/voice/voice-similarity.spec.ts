import { test } from 'node:test';
import assert from 'node:assert/strict';
import { charNgramSimilarity, memorisation, stylometricSimilarity, voiceSimilarity, wordOverlap } from './voice-similarity';
import { RIDGELINE_OFF_VOICE, RIDGELINE_ON_VOICE, RIDGELINE_SAMPLES } from './voice-fixture';

const samples = [
  'Small-batch coffee, roasted on Monday and at your door by Friday.',
  'Our beans come from three farms we visit every year.',
  'Brew it slow. Taste the ridge in every cup.',
  'Fresh coffee, honest prices, no fuss.',
];

test('copy in the samples’ voice scores above copy in another voice', () => {
  const onVoice = 'Roasted on Tuesday, at your door by Saturday. Taste every farm in the cup.';
  const offVoice = 'OMG!!! 🚀🚀 HUGE SALE on ALL THE THINGS — BUY NOW BEFORE IT’S GONE!!!';
  assert.ok(voiceSimilarity(onVoice, samples) > voiceSimilarity(offVoice, samples));
  assert.ok(charNgramSimilarity(onVoice, samples) > charNgramSimilarity(offVoice, samples));
  assert.ok(stylometricSimilarity(onVoice, samples) > stylometricSimilarity(offVoice, samples));
  for (const s of [voiceSimilarity(onVoice, samples), voiceSimilarity(offVoice, samples)]) assert.ok(s >= 0 && s <= 1);
  assert.equal(voiceSimilarity('anything', []), 0);
});

test('memorisation flags a sample copied verbatim or nearly, not shared common words', () => {
  const copied = memorisation('Our beans come from three farms we visit every year.', samples);
  assert.equal(copied.copied, true);
  assert.equal(copied.longestSharedWords, 10);
  assert.equal(copied.overlap, 1);
  const near = memorisation('Honestly: our beans come from three farms we visit', samples);
  assert.equal(near.copied, true);
  assert.equal(near.longestShared, 'our beans come from three farms we visit');
  const fresh = memorisation('Coffee for slow mornings, from the ridge to your cup', samples);
  assert.equal(fresh.copied, false);
  assert.ok(fresh.longestSharedWords < 4);
  assert.equal(fresh.overlap, 0);
});

test('on the fixture, similarity ranks held-out on-voice copy above off-voice copy, better than word overlap', () => {
  const pairwise = (score: (t: string, s: readonly string[]) => number) => {
    let right = 0;
    for (const on of RIDGELINE_ON_VOICE)
      for (const off of RIDGELINE_OFF_VOICE) right += score(on, RIDGELINE_SAMPLES) > score(off, RIDGELINE_SAMPLES) ? 1 : 0;
    return right / (RIDGELINE_ON_VOICE.length * RIDGELINE_OFF_VOICE.length);
  };
  const ours = pairwise(voiceSimilarity);
  const baseline = pairwise(wordOverlap);
  assert.ok(ours >= 0.95, `pairwise accuracy ${ours}`);
  assert.ok(ours > baseline, `${ours} vs word overlap ${baseline}`);
});
