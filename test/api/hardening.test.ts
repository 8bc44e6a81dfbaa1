import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { configSchema } from '../../apps/api/src/config/config';
import { startApp, type TestApp } from '../support/app';
import { fails, gql, ok, signUp } from '../support/graphql';

let api: TestApp;
before(async () => {
  api = await startApp({ RATE_LIMIT_API_KEY_PER_WINDOW: '5', GRAPHQL_MAX_DEPTH: '3', GRAPHQL_MAX_COMPLEXITY: '300' });
});
after(() => api.close());

describe('roles', () => {
  test('a VIEWER can read but not mutate; an EDITOR cannot do an OWNER’s work', async () => {
    const owner = await signUp(api.url, 'RoleOwner');
    const viewer = await signUp(api.url, 'RoleViewer');
    const invite = await ok(
      api.url,
      `mutation($e: String!) { inviteMember(input: { email: $e, role: VIEWER }) { token } }`,
      { e: viewer.email },
      owner.token,
    );
    await ok(api.url, `mutation($t: String!) { acceptInvitation(token: $t) { id } }`, { t: invite.inviteMember.token }, viewer.token);
    const token = (
      await ok(api.url, `mutation($w: ID!) { switchWorkspace(workspaceId: $w) { accessToken } }`, { w: owner.workspaceId }, viewer.token)
    ).switchWorkspace.accessToken;

    await ok(api.url, `{ brands { nodes { id } } members { role } }`, {}, token);
    const refused = await fails('FORBIDDEN', api.url, `mutation { createBrand(input: { name: "Viewer's" }) { id } }`, {}, token);
    assert.match(refused.message, /EDITOR/);
    await fails('FORBIDDEN', api.url, `mutation { inviteMember(input: { email: "x@example.com", role: VIEWER }) { token } }`, {}, token);
    const brands = await ok(api.url, `{ brands { nodes { id } } }`, {}, owner.token);
    assert.equal(brands.brands.nodes.length, 0, 'the refused mutation wrote nothing');

    const members = await ok(api.url, `{ members { id role user { id } } }`, {}, owner.token);
    const viewerMembership = members.members.find((m: { user: { id: string } }) => m.user.id === viewer.userId);
    await ok(
      api.url,
      `mutation($m: ID!) { changeMemberRole(input: { memberId: $m, role: EDITOR }) { role } }`,
      { m: viewerMembership.id },
      owner.token,
    );
    await ok(api.url, `mutation { createBrand(input: { name: "Now editor" }) { id } }`, {}, token); // role read fresh, same token
    await fails('FORBIDDEN', api.url, `mutation($m: ID!) { removeMember(memberId: $m) { id } }`, { m: viewerMembership.id }, token);
  });

  test('the last OWNER cannot be demoted', async () => {
    const owner = await signUp(api.url, 'Lonely');
    const members = await ok(api.url, `{ members { id } }`, {}, owner.token);
    await fails(
      'CONFLICT',
      api.url,
      `mutation($m: ID!) { changeMemberRole(input: { memberId: $m, role: ADMIN }) { id } }`,
      { m: members.members[0].id },
      owner.token,
    );
  });

  test('an invitation works only for the email it was sent to', async () => {
    const owner = await signUp(api.url, 'Inviter');
    const stranger = await signUp(api.url, 'Stranger');
    const invite = await ok(
      api.url,
      `mutation { inviteMember(input: { email: "someone-else@example.com", role: EDITOR }) { token acceptUrl } }`,
      {},
      owner.token,
    );
    assert.match(invite.inviteMember.acceptUrl, /accept-invitation\?token=bwi_/);
    // Someone else's token reads exactly like a forged one: no email, no hint it exists.
    const foreign = await fails(
      'NOT_FOUND',
      api.url,
      `mutation($t: String!) { acceptInvitation(token: $t) { id } }`,
      { t: invite.inviteMember.token },
      stranger.token,
    );
    assert.doesNotMatch(foreign.message, /someone-else/);
    await fails('NOT_FOUND', api.url, `mutation { acceptInvitation(token: "bwi_forged") { id } }`, {}, stranger.token);
  });
});

describe('input coercion', () => {
  test('a bad enum value in variables is BAD_USER_INPUT, not INTERNAL', async () => {
    const user = await signUp(api.url, 'Enum');
    const brand = await ok(api.url, `mutation { createBrand(input: { name: "Enum brand" }) { id } }`, {}, user.token);
    const error = await fails(
      'BAD_USER_INPUT',
      api.url,
      `mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }`,
      { i: { brandId: brand.createBrand.id, name: 'X', objective: 'SALES', channels: ['BILLBOARD'] } },
      user.token,
    );
    assert.match(error.message, /BILLBOARD/);
  });
});

describe('query limits', () => {
  test('a query over the depth limit is refused', async () => {
    const user = await signUp(api.url, 'Deep');
    await ok(api.url, `{ brands { nodes { id } } }`, {}, user.token);
    const error = await fails('BAD_USER_INPUT', api.url, `{ brands { nodes { styleRules { emoji } } } }`, {}, user.token);
    assert.equal(error.extensions?.field, 'query');
    assert.match(error.message, /depth 4 is over the limit of 3/);
  });

  test('a query over the complexity limit is refused before it runs: nothing is written', async () => {
    const user = await signUp(api.url, 'Costly');
    await fails('BAD_USER_INPUT', api.url, `{ brands(first: 100) { nodes { id name description } } }`, {}, user.token);
    await ok(api.url, `{ brands(first: 20) { nodes { id name description } } }`, {}, user.token);
    const many = Array.from({ length: 301 }, (_, i) => `b${i}: createBrand(input: { name: "Brand ${i}" }) { id }`).join(' ');
    const error = await fails('BAD_USER_INPUT', api.url, `mutation { ${many} }`, {}, user.token);
    assert.match(error.message, /complexity/);
    const after = await ok(api.url, `{ brands { nodes { id } } }`, {}, user.token);
    assert.equal(after.brands.nodes.length, 0);
  });

  test('bad pagination arguments name the argument', async () => {
    const user = await signUp(api.url, 'Pages');
    const e1 = await fails('BAD_USER_INPUT', api.url, `{ brands(first: 0) { nodes { id } } }`, {}, user.token);
    assert.equal(e1.extensions?.field, 'first');
    const e2 = await fails('BAD_USER_INPUT', api.url, `{ brands(after: "garbage") { nodes { id } } }`, {}, user.token);
    assert.equal(e2.extensions?.field, 'after');
  });
});

describe('rate limits', () => {
  test('an API key over its limit gets RATE_LIMITED with when to retry', async () => {
    const owner = await signUp(api.url, 'Busy');
    const key = (await ok(api.url, `mutation { createApiKey(input: { name: "busy", scopes: [READ] }) { secret } }`, {}, owner.token))
      .createApiKey.secret;
    for (let i = 0; i < 5; i++) await ok(api.url, `{ workspace { id } }`, {}, key);
    const error = await fails('RATE_LIMITED', api.url, `{ workspace { id } }`, {}, key);
    const retry = error.extensions?.retryAfterSeconds as number;
    assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60, `retryAfterSeconds = ${retry}`);
    // The workspace's people are not blocked by one key's burst.
    await ok(api.url, `{ workspace { id } }`, {}, owner.token);
  });
});

describe('errors and configuration', () => {
  test('an unexpected failure is INTERNAL with no stack trace; an unknown field is BAD_USER_INPUT', async () => {
    const user = await signUp(api.url, 'Errors');
    const unknown = await gql(api.url, `{ nope }`, {}, user.token);
    assert.equal(unknown.errors?.[0].extensions?.code, 'BAD_USER_INPUT');
    assert.ok(!JSON.stringify(unknown).includes('at '));
  });

  test('introspection is off in production, on in development', async () => {
    const { loadConfig } = await import('../../apps/api/src/config/config');
    const base = { DATABASE_URL: 'postgres://x@localhost/db', JWT_SECRET: 'x'.repeat(32) };
    assert.equal(loadConfig({ ...base, NODE_ENV: 'production' }).introspection, false);
    assert.equal(loadConfig({ ...base, NODE_ENV: 'development' }).introspection, true);
    const closed = await startApp({ GRAPHQL_INTROSPECTION: 'false' });
    try {
      const result = await gql(closed.url, `{ __schema { types { name } } }`);
      assert.equal(result.errors?.[0].extensions?.code, 'BAD_USER_INPUT');
      assert.match(result.errors![0].message, /introspection/i);
    } finally {
      await closed.close();
    }
  });

  test('a bad configuration value stops the api with one clear message and exit code 1', () => {
    const run = spawnSync(process.execPath, ['-r', '@swc-node/register', 'apps/api/src/main.ts'], {
      env: { PATH: process.env.PATH, DATABASE_URL: 'postgres://x@localhost/db', JWT_SECRET: 'short', PORT: 'eighty' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(run.status, 1);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0], /PORT/);
    assert.match(lines[0], /JWT_SECRET: must be at least 32 characters/);
  });

  test('.env.example lists every variable the config reads', () => {
    const example = readFileSync('.env.example', 'utf8');
    const listed = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    const missing = Object.keys(configSchema.shape).filter((k) => !listed.has(k));
    assert.deepEqual(missing, []);
  });
});
