import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay, isInfrastructureError, retryThroughOutage } from './outage-retry';

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

test('infrastructure errors are told apart from the job’s own', () => {
  assert.ok(isInfrastructureError(refused));
  assert.ok(isInfrastructureError(Object.assign(new Error('could not serialize access'), { code: '40001' })));
  assert.ok(isInfrastructureError(Object.assign(new Error('terminating connection'), { code: '57P01' })));
  assert.ok(isInfrastructureError(new Error('Connection terminated unexpectedly')));
  assert.ok(isInfrastructureError(new Error('Connection is closed.')));
  assert.ok(isInfrastructureError(Object.assign(new Error('query failed'), { driverError: refused })));
  assert.ok(isInfrastructureError(new AggregateError([refused, refused])));
  assert.ok(!isInfrastructureError(Object.assign(new Error('duplicate key'), { code: '23505' })));
  assert.ok(!isInfrastructureError(Object.assign(new Error('prompt too long'), { code: 'PROMPT_TOO_LONG' })));
  assert.ok(!isInfrastructureError(new Error('boom')));
});

test('an outage is retried until it ends; other errors are thrown at once', async () => {
  let calls = 0;
  const value = await retryThroughOutage(
    async () => {
      calls += 1;
      if (calls < 4) throw refused;
      return 'done';
    },
    { budgetMs: 10_000, baseDelayMs: 1, maxDelayMs: 4 },
  );
  assert.equal(value, 'done');
  assert.equal(calls, 4);

  let own = 0;
  await assert.rejects(
    retryThroughOutage(
      async () => {
        own += 1;
        throw new Error('the brand was deleted');
      },
      { budgetMs: 10_000, baseDelayMs: 1 },
    ),
    /brand was deleted/,
  );
  assert.equal(own, 1);
});

test('past the outage budget the last infrastructure error is thrown', async () => {
  let calls = 0;
  await assert.rejects(
    retryThroughOutage(
      async () => {
        calls += 1;
        throw refused;
      },
      { budgetMs: 30, baseDelayMs: 5, maxDelayMs: 10 },
    ),
    /ECONNREFUSED/,
  );
  assert.ok(calls >= 2, `retried before giving up (${calls} calls)`);
});

test('backoff doubles to its cap, with jitter in the upper half', () => {
  for (let attempt = 1; attempt <= 12; attempt++) {
    const ceiling = Math.min(5_000, 250 * 2 ** (attempt - 1));
    const delay = backoffDelay(attempt, 250, 5_000);
    assert.ok(delay >= ceiling / 2 && delay <= ceiling, `attempt ${attempt}: ${delay} within [${ceiling / 2}, ${ceiling}]`);
  }
});
