import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { JwtService } from '@nestjs/jwt';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startApp, TEST_JWT_SECRET, type TestApp } from '../support/app';
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

interface Message {
  type: string;
  id?: string;
  payload?: unknown;
}

/** A raw graphql-transport-ws socket that records every message and how it closed. */
async function connect(headers: Record<string, string> = {}, url = api.url) {
  const socket = new WebSocket(`${url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', { headers });
  const messages: Message[] = [];
  const waiters: Array<() => void> = [];
  socket.on('message', (data) => {
    messages.push(JSON.parse(String(data)) as Message);
    waiters.splice(0).forEach((w) => w());
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  await new Promise<void>((resolve, reject) => socket.once('open', () => resolve()).once('error', reject));
  const next = async (type: string, id?: string): Promise<Message> => {
    for (;;) {
      const found = messages.find((m) => m.type === type && (id === undefined || m.id === id));
      if (found) return found;
      await Promise.race([new Promise<void>((resolve) => waiters.push(resolve)), closed]);
      if (socket.readyState === WebSocket.CLOSED && !messages.some((m) => m.type === type)) {
        throw new Error(`closed (${(await closed).code}) before a ${type} message; got ${JSON.stringify(messages)}`);
      }
    }
  };
  const send = (message: Message) => socket.send(JSON.stringify(message));
  return { socket, messages, closed, next, send };
}

const UPDATES = `subscription($j: ID!) { generationUpdated(jobId: $j) { jobId status } }`;

async function queuedJob(token: string, url = api.url): Promise<string> {
  const brand = await ok(url, `mutation { createBrand(input: { name: "Sub Co ${randomUUID().slice(0, 6)}" }) { id } }`, {}, token);
  const job = await ok(
    url,
    `mutation($b: ID!) { generateCopy(input: { brandId: $b, channel: META_HEADLINE, brief: "Spring", variants: 1 }) { id } }`,
    { b: brand.createBrand.id },
    token,
  );
  return job.generateCopy.id as string;
}

/** Subscribes on an acknowledged connection and waits for the first update (the snapshot). */
async function subscribed(authorization: string, jobId: string, url = api.url) {
  const ws = await connect({}, url);
  ws.send({ type: 'connection_init', payload: { authorization } });
  await ws.next('connection_ack');
  ws.send({ id: '1', type: 'subscribe', payload: { query: UPDATES, variables: { j: jobId } } });
  const first = await ws.next('next', '1');
  assert.equal((first.payload as { data: { generationUpdated: { jobId: string } } }).data.generationUpdated.jobId, jobId);
  return ws;
}

function errorCode(message: Message): unknown {
  return (message.payload as Array<{ extensions?: { code?: string; reason?: string } }>)[0]?.extensions?.code;
}

describe('connecting', () => {
  test('no credential, or a bad one, is closed with 4403 and no connection_error message', async () => {
    for (const payload of [{}, { authorization: 'Bearer not-a-token' }, { authorization: 'Bearer bw_abc_def' }]) {
      const ws = await connect();
      ws.send({ type: 'connection_init', payload });
      const { code } = await ws.closed;
      assert.equal(code, 4403, JSON.stringify(payload));
      assert.deepEqual(ws.messages, [], 'nothing outside the protocol was sent');
    }
  });

  test('a subscribe before connection_init is closed with 4401', async () => {
    const ws = await connect();
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
    const jobId = await queuedJob(user.token);

    const viaParams = await subscribed(`Bearer ${user.token}`, jobId);
    viaParams.socket.close();

    const viaHeader = await connect({ authorization: `Bearer ${user.token}` });
    viaHeader.send({ type: 'connection_init' });
    await viaHeader.next('connection_ack');
    viaHeader.send({ id: '1', type: 'subscribe', payload: { query: UPDATES, variables: { j: jobId } } });
    await viaHeader.next('next', '1');
    viaHeader.socket.close();

    // A bad header is not rescued by nothing in the payload, nor a good header by a bad payload.
    const badHeader = await connect({ authorization: 'Bearer nope' });
    badHeader.send({ type: 'connection_init', payload: {} });
    assert.equal((await badHeader.closed).code, 4403);
    const badParams = await connect({ authorization: `Bearer ${user.token}` });
    badParams.send({ type: 'connection_init', payload: { authorization: 'Bearer nope' } });
    assert.equal((await badParams.closed).code, 4403);
  });
});

describe('subscription errors', () => {
  test('carry extensions.code', async () => {
    const user = await signUp(api.url, 'SubErrors');
    const ws = await connect();
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
    const jobId = await queuedJob(user.token);
    const created = await ok(
      api.url,
      `mutation { createApiKey(input: { name: "sub", scopes: [READ] }) { secret apiKey { id } } }`,
      {},
      user.token,
    );
    const ws = await subscribed(`Bearer ${created.createApiKey.secret}`, jobId);
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
    const jobId = await queuedJob(owner.token);
    const ws = await subscribed(`Bearer ${switched.switchWorkspace.accessToken}`, jobId);
    const members = await ok(api.url, `{ members { id user { id } } }`, {}, owner.token);
    const membership = members.members.find((m: { user: { id: string } }) => m.user.id === member.userId);
    await ok(api.url, `mutation($m: ID!) { removeMember(memberId: $m) { id } }`, { m: membership.id }, owner.token);
    assert.equal(errorCode(await ws.next('error', '1')), 'FORBIDDEN');
    ws.socket.close();
  });

  test('when its access token expires, at its expiry (no re-check needed)', bounded, async () => {
    // An app whose periodic re-check would come only after the test's timeout: the expiry timer ends it.
    const slow = await startApp({ SUBSCRIPTION_AUTH_CHECK_MS: '600000' });
    after(() => slow.close());
    const user = await signUp(slow.url, 'SubExpiry');
    const jobId = await queuedJob(user.token, slow.url);
    const shortLived = new JwtService({ secret: TEST_JWT_SECRET }).sign(
      { sub: user.userId, wid: user.workspaceId, typ: 'access' },
      { issuer: 'brandwright', audience: 'brandwright-api', expiresIn: 2 },
    );
    const ws = await subscribed(`Bearer ${shortLived}`, jobId, slow.url);
    const ended = await ws.next('error', '1');
    assert.equal(errorCode(ended), 'UNAUTHENTICATED');
    assert.match(JSON.stringify(ended.payload), /TOKEN_EXPIRED|expired/);
    ws.socket.close();
  });
});
