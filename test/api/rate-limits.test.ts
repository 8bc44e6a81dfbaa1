import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { startApp, type TestApp } from '../support/app';
import { sample } from '../deploy/prometheus-text';
import { ok } from '../support/graphql';

/**
 * The limits, as an outside client meets them. The app trusts X-Forwarded-For from 127.0.0.1
 * (TRUSTED_PROXIES), so each test speaks from its own client address and its own budgets.
 */
const LIMITS = {
  TRUSTED_PROXIES: '127.0.0.1',
  RATE_LIMIT_ADDRESS_PER_WINDOW: '60',
  RATE_LIMIT_ANONYMOUS_PER_WINDOW: '12',
  RATE_LIMIT_LOGIN_FAILURES_PER_HOUR: '3',
  RATE_LIMIT_SIGN_UPS_PER_HOUR: '3',
  RATE_LIMIT_CREDENTIAL_FAILURES_PER_HOUR: '3',
  RATE_LIMIT_API_KEY_PER_WINDOW: '8',
  RATE_LIMIT_WORKSPACE_PER_WINDOW: '40',
  METRICS_TOKEN: 'metrics-token-for-tests-0123456789',
};

let api: TestApp;
/** Apps sharing this file's database close only at the very end (closing one stops the others' pool). */
const alsoRunning: TestApp[] = [];
before(async () => {
  api = await startApp(LIMITS);
});
after(async () => {
  for (const app of alsoRunning) await app.close();
  await api.close();
});

let addresses = 0;
/** A fresh client address (as the trusted proxy reports it). */
const newAddress = () => `203.0.113.${++addresses}`;
const from = (address: string) => ({ 'x-forwarded-for': address });

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { data?: any; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
  return { status: response.status, headers: response.headers, ...json };
}

/** A 429 as the limits promise it: Retry-After, RateLimit-* headers and extensions.code. */
function assertLimited(answer: Awaited<ReturnType<typeof post>>) {
  assert.equal(answer.status, 429, JSON.stringify(answer.errors));
  assert.equal(answer.errors?.[0]?.extensions?.code, 'RATE_LIMITED');
  const retry = Number(answer.headers.get('retry-after'));
  assert.ok(Number.isInteger(retry) && retry >= 1, `Retry-After: ${answer.headers.get('retry-after')}`);
  assert.equal(answer.headers.get('ratelimit-remaining'), '0');
  assert.ok(Number(answer.headers.get('ratelimit-limit')) > 0);
  assert.match(answer.headers.get('ratelimit-policy') ?? '', /^\d+;w=\d+$/);
}

const SIGN_UP = `mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }`;

/** Signs a person up from an address of their own, so no test's budgets are spent by another's set-up. */
async function signUp(url: string, name: string) {
  const email = newEmail();
  const password = 'correct horse battery';
  const data = await ok(
    url,
    `mutation($i: SignUpInput!) { signUp(input: $i) { accessToken workspace { id } } }`,
    { i: { email, password, name } },
    undefined,
    from(newAddress()),
  );
  return { email, password, token: data.signUp.accessToken as string, workspaceId: data.signUp.workspace.id as string };
}
const LOG_IN = `mutation($i: LogInInput!) { logIn(input: $i) { accessToken } }`;
let emails = 0;
const newEmail = () => `limits-${process.pid}-${Date.now()}-${++emails}@example.com`;

describe('per client address, before authentication', () => {
  test('anonymous { __typename } is counted and refused past its budget, with 429 and the headers', async () => {
    const address = newAddress();
    for (let i = 0; i < 12; i++) {
      const answer = await post(api.url, { query: '{ __typename }' }, from(address));
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get('ratelimit-remaining'), String(11 - i));
    }
    assertLimited(await post(api.url, { query: '{ __typename }' }, from(address)));
    // Another address is not affected.
    assert.equal((await post(api.url, { query: '{ __typename }' }, from(newAddress()))).status, 200);
  });

  test('every request from one address counts, authenticated ones included', async () => {
    const address = newAddress();
    const owner = await signUp(api.url, 'AddressBudget');
    let refused: Awaited<ReturnType<typeof post>> | undefined;
    let answered = 0;
    for (let i = 0; i < 70 && !refused; i++) {
      const answer = await post(api.url, { query: '{ workspace { id } }' }, { ...from(address), authorization: `Bearer ${owner.token}` });
      if (answer.status === 429) refused = answer;
      else answered++;
    }
    assert.ok(refused, 'the address budget refused at some point');
    assertLimited(refused);
    assert.equal(answered, 40, 'the workspace budget (40) ran out first');
  });

  test('X-Forwarded-For from a peer that is not a trusted proxy is ignored', async () => {
    const direct = await startApp({ ...LIMITS, TRUSTED_PROXIES: '', REDIS_PREFIX: `bwtest-direct-${api.database.name}` }, api.database);
    alsoRunning.push(direct);
    let refusedAt = 0;
    for (let i = 1; i <= 20 && !refusedAt; i++) {
      const answer = await post(direct.url, { query: '{ __typename }' }, from(`198.51.100.${i}`));
      if (answer.status === 429) refusedAt = i;
    }
    assert.equal(refusedAt, 13, 'a new X-Forwarded-For per request did not reset the budget');
  });
});

describe('authentication budgets', () => {
  test('log-in failures have their own, tighter budget; successes do not spend it', async () => {
    const person = await signUp(api.url, 'Brute');
    const good = { email: person.email, password: person.password };
    const address = newAddress();
    for (let i = 0; i < 4; i++) {
      const answer = await post(api.url, { query: LOG_IN, variables: { i: good } }, from(address));
      assert.equal(answer.errors, undefined, 'a correct log-in is not a failure');
    }
    for (let i = 0; i < 3; i++) {
      const answer = await post(api.url, { query: LOG_IN, variables: { i: { ...good, password: 'wrong password 0' } } }, from(address));
      assert.equal(answer.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    }
    const refused = await post(api.url, { query: LOG_IN, variables: { i: good } }, from(address));
    assertLimited(refused);
    assert.match(refused.errors![0].message, /log-in/);
  });

  test('sign-ups per address have their own budget', async () => {
    const address = newAddress();
    for (let i = 0; i < 3; i++) {
      const answer = await post(
        api.url,
        { query: SIGN_UP, variables: { i: { email: newEmail(), password: 'long password 1', name: 'S' } } },
        from(address),
      );
      assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    }
    const refused = await post(
      api.url,
      { query: SIGN_UP, variables: { i: { email: newEmail(), password: 'long password 1', name: 'S' } } },
      from(address),
    );
    assertLimited(refused);
    assert.match(refused.errors![0].message, /sign-ups/);
  });

  test('refused API keys spend the address’s credential budget, then are not even checked', async () => {
    const address = newAddress();
    for (let i = 0; i < 3; i++) {
      const answer = await post(api.url, { query: '{ workspace { id } }' }, { ...from(address), authorization: 'Bearer bw_live_notakey' });
      assert.equal(answer.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    }
    assertLimited(await post(api.url, { query: '{ workspace { id } }' }, { ...from(address), authorization: 'Bearer bw_live_notakey' }));
  });

  test('signUp, logIn and refreshSession run once per request, whatever the aliases', async () => {
    const address = newAddress();
    const [a, b] = [newEmail(), newEmail()];
    const answer = await post(
      api.url,
      {
        query: `mutation($a: SignUpInput!, $b: SignUpInput!) { a: signUp(input: $a) { accessToken } b: signUp(input: $b) { accessToken } }`,
        variables: { a: { email: a, password: 'long password 1', name: 'A' }, b: { email: b, password: 'long password 1', name: 'B' } },
      },
      from(address),
    );
    // signUp is non-null, so the refused alias nulls `data`; the first alias's account exists.
    assert.equal(answer.errors?.length, 1, JSON.stringify(answer.errors));
    assert.equal(answer.errors![0].extensions?.code, 'BAD_USER_INPUT');
    assert.deepEqual((answer.errors![0] as { path?: string[] }).path, ['b']);
    assert.match(answer.errors![0].message, /signUp: may be called once per request/);
    const first = await post(api.url, { query: LOG_IN, variables: { i: { email: a, password: 'long password 1' } } }, from(newAddress()));
    assert.ok(first.data?.logIn?.accessToken, 'the first alias made its account');
    const second = await post(api.url, { query: LOG_IN, variables: { i: { email: b, password: 'long password 1' } } }, from(newAddress()));
    assert.equal(second.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED', 'no account was made for the second alias');
  });
});

describe('per key, per workspace, per plan', () => {
  test('each root mutation field counts as one call', async () => {
    const owner = await signUp(api.url, 'Aliases');
    const key = (await ok(api.url, `mutation { createApiKey(input: { name: "k", scopes: [MANAGE] }) { secret } }`, {}, owner.token))
      .createApiKey.secret;
    const fields = Array.from({ length: 10 }, (_, i) => `b${i}: createBrand(input: { name: "Brand ${i}" }) { id }`).join(' ');
    const answer = await post(api.url, { query: `mutation { ${fields} }` }, { ...from(newAddress()), authorization: `Bearer ${key}` });
    assertLimited(answer);
    // createBrand is non-null, so `data` is null; the errors and the brands show what ran.
    // Mutation fields run in order, and the first refused one ends the request (it is non-null).
    assert.equal(answer.errors?.length, 1);
    assert.equal(answer.errors![0].extensions?.code, 'RATE_LIMITED');
    assert.deepEqual((answer.errors![0] as { path?: string[] }).path, ['b8'], 'the key’s budget (8) admitted b0…b7');
    const brands = await ok(api.url, `{ brands { nodes { id } } }`, {}, owner.token);
    assert.equal(brands.brands.nodes.length, 8);
  });

  test('generation calls follow the plan: FREE is refused at 21 a minute, PRO is not', async () => {
    const free = await signUp(api.url, 'FreePlan');
    const pro = await signUp(api.url, 'ProPlan');
    const db = new pg.Client({ connectionString: api.database.url });
    await db.connect();
    await db.query(
      `INSERT INTO billing_accounts (workspace_id, plan) VALUES ($1, 'PRO') ON CONFLICT (workspace_id) DO UPDATE SET plan = 'PRO'`,
      [pro.workspaceId],
    );
    await db.end();
    // A brand that does not exist: each call is refused NOT_FOUND, but it is a call all the same.
    const generate = `mutation { generateCopy(input: { brandId: "00000000-0000-4000-8000-000000000000", brief: "b", channel: EMAIL_SUBJECT }) { id } }`;
    const call = (token: string, address: string) =>
      post(api.url, { query: generate }, { ...from(address), authorization: `Bearer ${token}` });
    const [freeAddress, proAddress] = [newAddress(), newAddress()];
    for (let i = 0; i < 20; i++) {
      assert.equal((await call(free.token, freeAddress)).errors?.[0]?.extensions?.code, 'NOT_FOUND');
      assert.equal((await call(pro.token, proAddress)).errors?.[0]?.extensions?.code, 'NOT_FOUND');
    }
    const refused = await call(free.token, freeAddress);
    assertLimited(refused);
    assert.match(refused.errors![0].message, /Free plan allows 20/);
    assert.equal(refused.headers.get('ratelimit-limit'), '20');
    assert.equal((await call(pro.token, proAddress)).errors?.[0]?.extensions?.code, 'NOT_FOUND', 'PRO allows 120');
    // The plans say so.
    const plans = await ok(api.url, `{ plans { id rateLimitPerMinute } }`, {}, free.token);
    assert.deepEqual(
      plans.plans.map((p: { id: string; rateLimitPerMinute: number }) => [p.id, p.rateLimitPerMinute]),
      [
        ['FREE', 20],
        ['PRO', 120],
        ['AGENCY', 600],
      ],
    );
  });
});

describe('when Redis is unavailable', () => {
  let redis: ChildProcess;
  let port: number;
  let side: TestApp;
  const startRedis = () => spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const waitForRedis = async (up: boolean) => {
    for (let i = 0; i < 100; i++) {
      const open = await new Promise<boolean>((resolve) => {
        const socket = createConnectionTo(
          port,
          () => resolve(true),
          () => resolve(false),
        );
        socket.setTimeout(200);
      });
      if (open === up) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server on ${port} did not come ${up ? 'up' : 'down'}`);
  };

  before(async () => {
    port = await freePort();
    redis = startRedis();
    await waitForRedis(true);
    side = await startApp({ ...LIMITS, REDIS_URL: `redis://127.0.0.1:${port}`, RATE_LIMIT_DEGRADED_PER_WINDOW: '5' }, api.database);
    alsoRunning.push(side);
  });
  after(async () => {
    redis = startRedis(); // back up, so the app closes its connections cleanly (at the file's end)
    await waitForRedis(true);
    alsoRunning.push({ close: async () => void redis.kill('SIGKILL') } as TestApp);
  });

  test('authenticated reads go on within a local budget; anonymous writes fail closed; metrics say so', async () => {
    const owner = await signUp(side.url, 'Degraded');
    redis.kill('SIGKILL');
    await waitForRedis(false);
    const address = newAddress();
    const read = () => post(side.url, { query: '{ workspace { id } }' }, { ...from(address), authorization: `Bearer ${owner.token}` });

    for (let i = 0; i < 5; i++) {
      const answer = await read();
      assert.equal(answer.errors, undefined, `read ${i + 1}: ${JSON.stringify(answer.errors)}`);
      assert.equal(answer.data.workspace.id, owner.workspaceId);
    }
    assertLimited(await read()); // the local in-process budget (5) holds

    const write = await post(
      side.url,
      { query: SIGN_UP, variables: { i: { email: newEmail(), password: 'long password 1', name: 'X' } } },
      from(newAddress()),
    );
    assert.equal(write.status, 503);
    assert.equal(write.errors?.[0]?.extensions?.code, 'UNAVAILABLE');
    assert.ok(Number(write.headers.get('retry-after')) >= 1);

    const scrape = await fetch(`${side.url}/metrics`, { headers: { authorization: `Bearer ${LIMITS.METRICS_TOKEN}` } });
    const text = await scrape.text();
    assert.ok(sample(text, 'brandwright_rate_limit_degraded_total', { decision: 'allowed', caller: 'authenticated' })! >= 5);
    assert.ok(sample(text, 'brandwright_rate_limit_degraded_total', { decision: 'refused', caller: 'anonymous' })! >= 1);
  });
});

function createConnectionTo(port: number, onOpen: () => void, onError: () => void) {
  const socket = connect(port, '127.0.0.1');
  socket.once('connect', () => {
    socket.destroy();
    onOpen();
  });
  socket.once('error', onError);
  socket.once('timeout', () => {
    socket.destroy();
    onError();
  });
  return socket;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
