import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeJobFailure } from '../../apps/dashboard/src/lib/job-errors';

/** Every way a generation job can end without copy has words in the dashboard (the voice trial included). */
test('a failed or cancelled job always has a message, with the engine detail and advice by code', () => {
  const tooLong =
    'The prompt is 600 tokens with every example left out and the voice shortened, but the model’s context of 512 positions keeps 256 for this channel’s copy, leaving 256. Cut at least 344 tokens from the brief (~400 tokens).';
  const cases: [string | null, string | null, RegExp][] = [
    ['PROMPT_TOO_LONG', tooLong, /too long for this model.*Cut at least 344 tokens from the brief/],
    [
      'INFERENCE_FAILED',
      'the model failed during prefill: indices element out of data bounds',
      /failed while writing \(the model failed during prefill/,
    ],
    ['GENERATION_STALLED', 'the generation made no progress for 120 s', /stopped making progress.*try again/],
    ['MODEL_UNSUPPORTED', 'input foo is not supported', /No usable text model.*input foo/],
    ['SOMETHING_NEW', 'odd', /Generation failed: odd/],
    [null, null, /Generation failed: no reason was given/],
  ];
  for (const [code, message, expected] of cases) assert.match(describeJobFailure('FAILED', code, message) ?? '', expected, String(code));
  assert.match(describeJobFailure('CANCELLED', 'CANCELLED', 'x') ?? '', /cancelled/);
  for (const status of ['QUEUED', 'RUNNING', 'SUCCEEDED', null] as const) assert.equal(describeJobFailure(status, null, null), null);
  assert.equal(describeJobFailure('SUCCEEDED', null, null, 2), null);
  assert.match(describeJobFailure('SUCCEEDED', null, null, 0) ?? '', /wrote nothing usable/);
});
