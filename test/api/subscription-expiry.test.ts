import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { JwtService } from '@nestjs/jwt';
import { startApp, TEST_JWT_SECRET, type TestApp } from '../support/app';
import { signUp } from '../support/graphql';
import { errorCode, queuedJob, subscribed } from '../support/graphql-ws';

/**
 * A subscription ends when its access token expires, by a timer at `exp`: this app's periodic
 * re-check (subscription-auth.test.ts) would come only long after the test's timeout.
 */
let api: TestApp;
before(async () => {
  api = await startApp({ SUBSCRIPTION_AUTH_CHECK_MS: '600000' });
});
after(() => api?.close());

test('a subscription ends when its access token expires, at its expiry', { timeout: 30_000 }, async () => {
  const user = await signUp(api.url, 'SubExpiry');
  const jobId = await queuedJob(api.url, user.token);
  const shortLived = new JwtService({ secret: TEST_JWT_SECRET }).sign(
    { sub: user.userId, wid: user.workspaceId, typ: 'access' },
    { issuer: 'brandwright', audience: 'brandwright-api', expiresIn: 2 },
  );
  const ws = await subscribed(api.url, `Bearer ${shortLived}`, jobId);
  const ended = await ws.next('error', '1');
  assert.equal(errorCode(ended), 'UNAUTHENTICATED');
  assert.match(JSON.stringify(ended.payload), /TOKEN_EXPIRED|expired/);
  ws.socket.close();
});
