import { test } from 'node:test';
import assert from 'node:assert/strict';
import { learnVoice, pickExemplars } from './learn-voice';
import { RIDGELINE_ADS, SNACKLE_ADS, adTexts } from './learn-voice.fixture';
import { followsHeadlineCase } from './headline-case';

test('the fixtures are what they claim: 50 ads each, headlines in their case', () => {
  assert.equal(RIDGELINE_ADS.length, 50);
  assert.equal(SNACKLE_ADS.length, 50);
  for (const ad of RIDGELINE_ADS) assert.ok(followsHeadlineCase(ad.headline, 'title'), ad.headline);
  for (const ad of SNACKLE_ADS) assert.ok(followsHeadlineCase(ad.headline, 'sentence'), ad.headline);
});

test('learnVoice recovers the rules the Ridgeline ads were written with, rule by rule', () => {
  const p = learnVoice(adTexts(RIDGELINE_ADS));
  assert.equal(p.samples, 100);
  assert.equal(p.contractions.value, true, p.contractions.evidence);
  assert.equal(p.exclamationMarks.value, false, p.exclamationMarks.evidence);
  assert.equal(p.emoji.value, false, p.emoji.evidence);
  assert.equal(p.headlineCase.value, 'title', p.headlineCase.evidence);
  assert.equal(p.oxfordComma?.value, true, p.oxfordComma?.evidence);
  assert.ok(p.targetReadingGrade.value >= 1 && p.targetReadingGrade.value <= 10, p.targetReadingGrade.evidence);
  assert.match(p.contractions.evidence, /of 100 samples/);
});

test('learnVoice recovers the opposite rules from the Snackle ads', () => {
  const p = learnVoice(adTexts(SNACKLE_ADS));
  assert.equal(p.contractions.value, false, p.contractions.evidence);
  assert.equal(p.exclamationMarks.value, true, p.exclamationMarks.evidence);
  assert.equal(p.emoji.value, true, p.emoji.evidence);
  assert.equal(p.headlineCase.value, 'sentence', p.headlineCase.evidence);
  assert.equal(p.oxfordComma?.value, false, p.oxfordComma?.evidence);
});

test('exemplars: per channel limit, up to three samples that fit the slot, distinct and typical', () => {
  const p = learnVoice(adTexts(RIDGELINE_ADS));
  const thirty = p.exemplars.find((e) => e.maxChars === 30);
  assert.ok(thirty && thirty.examples.length === 3);
  for (const e of p.exemplars) {
    assert.ok(e.examples.length >= 1 && e.examples.length <= 3);
    assert.equal(new Set(e.examples).size, e.examples.length);
    for (const x of e.examples) assert.ok(x.length <= e.maxChars && x.length >= e.maxChars * 0.4);
  }
  // Medoids cover clusters: with two clear groups, the first two picks come one from each.
  const picks = pickExemplars(
    ['Cold brew coffee', 'Cold brew coffee beans', 'Iced cold brew coffee', 'Zebra stripes', 'Zebra stripes art'],
    2,
  );
  assert.equal(picks.filter((x) => x.startsWith('Zebra')).length, 1);
  assert.throws(() => learnVoice([' ']), /at least one sample/);
});
