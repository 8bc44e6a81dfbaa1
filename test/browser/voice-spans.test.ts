import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitBySpans, voiceSpans } from '../../apps/dashboard/src/lib/voice-spans';

/** The voice diff marks exactly the spans that broke a rule, with the rule in words. */
const report = (failedRules: string[], bannedTermsFound: string[] = []) =>
  ({
    score: 50,
    characters: 0,
    maxChars: 90,
    readingGrade: 3,
    bannedTermsFound,
    requiredTermsMissing: [],
    examplesDropped: [],
    voiceLinesShortened: [],
    hardRulesPassed: failedRules.length === 0,
    actions: [],
    checks: ['exclamation', 'emoji', 'contractions'].map((rule) => ({
      rule,
      hard: true,
      passed: !failedRules.includes(rule),
      label: null,
      detail: '',
    })),
  }) as Parameters<typeof voiceSpans>[1];

test('banned terms, exclamation marks, emoji and contractions are marked when their rule failed', () => {
  const text = "Cheap beans? Don't wait! 🚀 So cheap.";
  const spans = voiceSpans(text, report(['exclamation', 'emoji', 'contractions'], ['cheap']));
  assert.deepEqual(
    spans.map((s) => [text.slice(s.start, s.end), s.label]),
    [
      ['Cheap', 'Banned term: cheap'],
      ["Don't", 'Contraction'],
      ['!', 'Exclamation mark'],
      ['🚀', 'Emoji'],
      ['cheap', 'Banned term: cheap'],
    ],
  );
  assert.equal(
    splitBySpans(text, spans)
      .map((p) => p.text)
      .join(''),
    text,
  );
});

test('nothing is marked when the rules passed (exclamation marks allowed, say)', () => {
  assert.deepEqual(voiceSpans("Don't wait! 🚀", report([])), []);
  assert.deepEqual(splitBySpans('plain', []), [{ text: 'plain' }]);
});
