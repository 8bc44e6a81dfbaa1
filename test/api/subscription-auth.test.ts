import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { connect, errorCode, queuedJob, subscribed, UPDATES } from '../support/graphql-ws';
import { startApp, type TestApp } from '../support/app';
import { ok, signUp } from '../support/graphql';

/**
 * graphql-ws (graphql-transport-ws) at the protocol level: close codes, where the credential may
 * come from, error codes, and subscriptions that end when their credential lapses.
 */
let api: TestApp;
before(async () => {
  api = await startApp({ SUBSCRIPTION_AUTH_CHECK_MS: '100' });
});
after(() => api?.close());

describe('connecting', () => {
  test('no credential, or a bad one, is closed with 4403 and no connection_error message', async () => {
    for (const payload of [{}, { authorization: 'Bearer not-a-token' }, { authorization: 'Bearer bw_abc_def' }]) {
      const ws = await connect(api.url);
      ws.send({ type: 'connection_init', payload });
      const { code } = await ws.closed;
      assert.equal(code, 4403, JSON.stringify(payload));
      assert.deepEqual(ws.messages, [], 'nothing outside the protocol was sent');
    }
  });

  test('a subscribe before connection_init is closed with 4401', async () => {
    const ws = await connect(api.url);
    ws.send({ id: '1', type: 'subscribe', payload: { query: UPDATES, variables: { j: randomUUID() } } });
    assert.equal((await ws.closed).code, 4401);
    assert.deepEqual(ws.messages, []);
  });

  test('a standard client sees the close code, not "Invalid message type"', async () => {
    const client = createClient({
      url: `${api.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
    });
    const closed = await new Promise<{ code: number }>((resolve) => {
      client.on('closed', (event) => resolve(event as { code: number }));
      client.on('error', () => undefined);
    });
    assert.equal(closed.code, 4403);
    await client.dispose();
  });

  test('the credential may come from connectionParams.authorization or the upgrade Authorization header', async () => {
    const user = await signUp(api.url, 'SubAuth');
    const jobId = await queuedJob(api.url, user.token);

    const viaParams = await subscribed(api.url, `Bearer ${user.token}`, jobId);
    viaParams.socket.close();

    const viaHeader = await connect(api.url, { authorization: `Bearer ${user.token}` });
    viaHeader.send({ type: 'connection_init' });
    await viaHeader.next('connection_ack');
    viaHeader.send({ id: '1', type: 'subscribe', payload: { query: UPDATES, variables: { j: jobId } } });
    await viaHeader.next('next', '1');
    viaHeader.socket.close();

    // A bad header is not rescued by nothing in the payload, nor a good header by a bad payload.
    const badHeader = await connect(api.url, { authorization: 'Bearer nope' });
    badHeader.send({ type: 'connection_init', payload: {} });
    assert.equal((await badHeader.closed).code, 4403);
    const badParams = await connect(api.url, { authorization: `Bearer ${user.token}` });
    badParams.send({ type: 'connection_init', payload: { authorization: 'Bearer nope' } });
    assert.equal((await badParams.closed).code, 4403);
  });
});

describe('subscription errors', () => {
  test('carry extensions.code', async () => {
    const user = await signUp(api.url, 'SubErrors');
    const ws = await connect(api.url);
    ws.send({ type: 'connection_init', payload: { authorization: `Bearer ${user.token}` } });
    await ws.next('connection_ack');
    ws.send({ id: 'missing', type: 'subscribe', payload: { query: UPDATES, variables: { j: randomUUID() } } });
    assert.equal(errorCode(await ws.next('error', 'missing')), 'NOT_FOUND');
    ws.send({ id: 'bad', type: 'subscribe', payload: { query: UPDATES, variables: { j: 'not-a-uuid' } } });
    assert.equal(errorCode(await ws.next('error', 'bad')), 'BAD_USER_INPUT');
    for (const m of ws.messages) assert.doesNotMatch(JSON.stringify(m), /\s{4}at /, 'no stack traces');
    ws.socket.close();
  });
});

describe('a running subscription ends', () => {
  // A subscription that failed to end would wait forever: the timeout turns that into a failure.
  const bounded = { timeout: 30_000 };

  test('when its API key is revoked', bounded, async () => {
    const user = await signUp(api.url, 'SubKey');
    const jobId = await queuedJob(api.url, user.token);
    const created = await ok(
      api.url,
      `mutation { createApiKey(input: { name: "sub", scopes: [READ] }) { secret apiKey { id } } }`,
      {},
      user.token,
    );
    const ws = await subscribed(api.url, `Bearer ${created.createApiKey.secret}`, jobId);
    await ok(api.url, `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: created.createApiKey.apiKey.id }, user.token);
    const ended = await ws.next('error', '1');
    assert.equal(errorCode(ended), 'UNAUTHENTICATED');
    assert.match(JSON.stringify(ended.payload), /revoked/);
    ws.socket.close();
  });

  test('when its member is removed from the workspace', bounded, async () => {
    const owner = await signUp(api.url, 'SubOwner');
    const member = await signUp(api.url, 'SubMember');
    const invite = await ok(
      api.url,
      `mutation($e: String!) { inviteMember(input: { email: $e, role: VIEWER }) { token } }`,
      { e: member.email },
      owner.token,
    );
    await ok(api.url, `mutation($t: String!) { acceptInvitation(token: $t) { id } }`, { t: invite.inviteMember.token }, member.token);
    const switched = await ok(
      api.url,
      `mutation($w: ID!) { switchWorkspace(workspaceId: $w) { accessToken } }`,
      { w: owner.workspaceId },
      member.token,
    );
    const jobId = await queuedJob(api.url, owner.token);
    const ws = await subscribed(api.url, `Bearer ${switched.switchWorkspace.accessToken}`, jobId);
    const members = await ok(api.url, `{ members { id user { id } } }`, {}, owner.token);
    const membership = members.members.find((m: { user: { id: string } }) => m.user.id === member.userId);
    await ok(api.url, `mutation($m: ID!) { removeMember(memberId: $m) { id } }`, { m: membership.id }, owner.token);
    assert.equal(errorCode(await ws.next('error', '1')), 'FORBIDDEN');
    ws.socket.close();
  });
});

describe('a subscription that is not ended by its credential', () => {
  test('completes when its job ends', { timeout: 30_000 }, async () => {
    const user = await signUp(api.url, 'SubComplete');
    const jobId = await queuedJob(api.url, user.token);
    const ws = await subscribed(api.url, `Bearer ${user.token}`, jobId);
    await ok(api.url, `mutation($id: ID!) { cancelJob(id: $id) { id } }`, { id: jobId }, user.token);
    await ws.next('complete', '1');
    assert.equal(
      ws.messages.some((m) => m.type === 'error'),
      false,
    );
    ws.socket.close();
  });
});
