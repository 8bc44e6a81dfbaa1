import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { JwtService } from '@nestjs/jwt';
import pg from 'pg';
import { startApp, TEST_JWT_SECRET, type TestApp } from '../support/app';
import { fails, gql, ok, signUp } from '../support/graphql';

let api: TestApp;
before(async () => {
  api = await startApp();
});
after(() => api.close());

const ME = `{ me { id email } }`;

describe('sign up and log in', () => {
  test('a new account gets a workspace it owns and working tokens', async () => {
    const user = await signUp(api.url, 'Owner');
    const data = await ok(api.url, `{ me { id } workspace { id myRole } }`, {}, user.token);
    assert.equal(data.me.id, user.userId);
    assert.equal(data.workspace.id, user.workspaceId);
    assert.equal(data.workspace.myRole, 'OWNER');
  });

  test('log in with the right password works, the wrong one is UNAUTHENTICATED', async () => {
    const user = await signUp(api.url, 'Login');
    const LOGIN = `mutation($input: LogInInput!) { logIn(input: $input) { accessToken workspace { id } } }`;
    const good = await ok(api.url, LOGIN, { input: { email: user.email.toUpperCase(), password: user.password } });
    assert.equal(good.logIn.workspace.id, user.workspaceId);
    const error = await fails('UNAUTHENTICATED', api.url, LOGIN, { input: { email: user.email, password: 'not the password' } });
    assert.match(error.message, /email or password/);
  });

  test('signing up twice with one email is a CONFLICT and writes nothing more', async () => {
    const user = await signUp(api.url, 'Twice');
    const error = await fails('CONFLICT', api.url, `mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }`, {
      i: { email: user.email, password: 'another long password', name: 'Again' },
    });
    assert.equal(error.extensions?.field, 'email');
  });

  test('bad sign-up input names the field', async () => {
    const error = await fails('BAD_USER_INPUT', api.url, `mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }`, {
      i: { email: 'not-an-email', password: 'long enough password', name: 'X' },
    });
    assert.equal(error.extensions?.field, 'input.email');
    const short = await fails('BAD_USER_INPUT', api.url, `mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }`, {
      i: { email: 'short@example.com', password: 'short', name: 'X' },
    });
    assert.equal(short.extensions?.field, 'input.password');
  });
});

describe('access tokens', () => {
  test('expired, malformed, foreign-signed and missing tokens are UNAUTHENTICATED', async () => {
    const user = await signUp(api.url, 'Tokens');
    const signer = new JwtService({ secret: TEST_JWT_SECRET });
    const expired = signer.sign({ sub: user.userId, wid: user.workspaceId, typ: 'access' }, { issuer: 'brandwright', expiresIn: -10 });
    const e1 = await fails('UNAUTHENTICATED', api.url, ME, {}, expired);
    assert.equal(e1.extensions?.reason, 'TOKEN_EXPIRED');
    const e2 = await fails('UNAUTHENTICATED', api.url, ME, {}, 'not.a.jwt');
    assert.equal(e2.extensions?.reason, 'TOKEN_INVALID');
    const forged = new JwtService({ secret: 'some-other-secret-of-enough-length!!' }).sign(
      { sub: user.userId, wid: user.workspaceId, typ: 'access' },
      { issuer: 'brandwright' },
    );
    await fails('UNAUTHENTICATED', api.url, ME, {}, forged);
    await fails('UNAUTHENTICATED', api.url, ME);
  });
});

describe('refresh tokens', () => {
  const REFRESH = `mutation($t: String) { refreshSession(refreshToken: $t) { accessToken refreshToken } }`;

  test('a refresh token rotates, and reusing an old one revokes the whole family', async () => {
    const user = await signUp(api.url, 'Refresh');
    const first = await ok(api.url, REFRESH, { t: user.refreshToken });
    const second = await ok(api.url, REFRESH, { t: first.refreshSession.refreshToken });
    assert.notEqual(second.refreshSession.refreshToken, first.refreshSession.refreshToken);
    await ok(api.url, ME, {}, second.refreshSession.accessToken);

    const reuse = await fails('UNAUTHENTICATED', api.url, REFRESH, { t: user.refreshToken });
    assert.equal(reuse.extensions?.reason, 'TOKEN_REUSED');
    // The newest token of the family is revoked too: a thief and the owner are both signed out.
    const after = await fails('UNAUTHENTICATED', api.url, REFRESH, { t: second.refreshSession.refreshToken });
    assert.equal(after.extensions?.reason, 'TOKEN_REUSED');
  });

  test('an unknown refresh token and a logged-out one are refused', async () => {
    const user = await signUp(api.url, 'Logout');
    await fails('UNAUTHENTICATED', api.url, REFRESH, { t: 'bwr_nonsense' });
    await ok(api.url, `mutation($t: String) { logOut(refreshToken: $t) }`, { t: user.refreshToken });
    await fails('UNAUTHENTICATED', api.url, REFRESH, { t: user.refreshToken });
  });

  test('the dashboard’s httpOnly cookie works as the refresh token', async () => {
    const response = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }`,
        variables: { i: { email: `cookie-${Date.now()}@example.com`, password: 'long enough password', name: 'Cookie' } },
      }),
    });
    const cookie = response.headers.get('set-cookie') ?? '';
    assert.match(cookie, /bw_refresh=bwr_/);
    assert.match(cookie, /HttpOnly/i);
    const pair = cookie.split(';')[0];
    const refreshed = await gql(api.url, `mutation { refreshSession { accessToken } }`, {}, undefined, { cookie: pair });
    assert.equal(refreshed.errors, undefined);
  });
});

describe('API keys', () => {
  const CREATE = `mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret apiKey { id prefix scopes } } }`;

  test('a key is shown once, works, records its use, and stops working when revoked', async () => {
    const owner = await signUp(api.url, 'Keys');
    const created = await ok(api.url, CREATE, { i: { name: 'agency', scopes: ['READ', 'GENERATE'] } }, owner.token);
    const secret: string = created.createApiKey.secret;
    assert.match(secret, /^bw_[a-z2-9]{10}_[a-z2-9]{40}$/);
    assert.ok(secret.includes(created.createApiKey.apiKey.prefix));

    const seen = await ok(api.url, `{ workspace { id myRole } brands { nodes { id } } }`, {}, secret);
    assert.equal(seen.workspace.id, owner.workspaceId);
    assert.equal(seen.workspace.myRole, null);

    const listed = await ok(api.url, `{ apiKeys { id lastUsedAt } }`, {}, owner.token);
    assert.ok(listed.apiKeys[0].lastUsedAt, 'last-used time is recorded');
    assert.ok(!JSON.stringify(listed).includes(secret.split('_')[2]), 'the secret is never listed');

    await ok(api.url, `mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, { id: created.createApiKey.apiKey.id }, owner.token);
    const revoked = await fails('UNAUTHENTICATED', api.url, `{ workspace { id } }`, {}, secret);
    assert.equal(revoked.extensions?.reason, 'KEY_REVOKED');
  });

  test('an expired key is UNAUTHENTICATED', async () => {
    const owner = await signUp(api.url, 'Expiry');
    const soon = new Date(Date.now() + 60_000).toISOString();
    const created = await ok(api.url, CREATE, { i: { name: 'short-lived', scopes: ['READ'], expiresAt: soon } }, owner.token);
    await ok(api.url, `{ workspace { id } }`, {}, created.createApiKey.secret);
    // Age the key past its expiry, as the clock would.
    const db = new pg.Client({ connectionString: api.database.url });
    await db.connect();
    await db.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [created.createApiKey.apiKey.id]);
    await db.end();
    const error = await fails('UNAUTHENTICATED', api.url, `{ workspace { id } }`, {}, created.createApiKey.secret);
    assert.equal(error.extensions?.reason, 'KEY_EXPIRED');
    await fails(
      'BAD_USER_INPUT',
      api.url,
      CREATE,
      { i: { name: 'past', scopes: ['READ'], expiresAt: '2000-01-01T00:00:00Z' } },
      owner.token,
    );
  });

  test('malformed and unknown keys are UNAUTHENTICATED', async () => {
    const e1 = await fails('UNAUTHENTICATED', api.url, `{ workspace { id } }`, {}, 'bw_short_secret');
    assert.equal(e1.extensions?.reason, 'KEY_INVALID');
    await fails('UNAUTHENTICATED', api.url, `{ workspace { id } }`, {}, `bw_abcdefghij_${'a'.repeat(40)}`);
  });

  test('a key without a scope is refused, and a key cannot act as a person', async () => {
    const owner = await signUp(api.url, 'Scopes');
    const readOnly = (await ok(api.url, CREATE, { i: { name: 'ro', scopes: ['READ'] } }, owner.token)).createApiKey.secret;
    const refused = await fails('FORBIDDEN', api.url, `mutation { createBrand(input: { name: "Nope" }) { id } }`, {}, readOnly);
    assert.match(refused.message, /manage/);
    await fails('FORBIDDEN', api.url, ME, {}, readOnly);
    await fails('FORBIDDEN', api.url, CREATE, { i: { name: 'child', scopes: ['READ'] } }, readOnly);
  });

  test('a key never grants more than its creator: a VIEWER cannot mint a manage key, and a removed creator’s keys stop', async () => {
    const owner = await signUp(api.url, 'Grant');
    const editor = await signUp(api.url, 'Editor');
    const invite = await ok(
      api.url,
      `mutation($i: InviteMemberInput!) { inviteMember(input: $i) { token } }`,
      { i: { email: editor.email, role: 'EDITOR' } },
      owner.token,
    );
    await ok(api.url, `mutation($t: String!) { acceptInvitation(token: $t) { id } }`, { t: invite.inviteMember.token }, editor.token);
    const switched = await ok(
      api.url,
      `mutation($w: ID!) { switchWorkspace(workspaceId: $w) { accessToken } }`,
      { w: owner.workspaceId },
      editor.token,
    );
    const editorToken = switched.switchWorkspace.accessToken;
    await fails('FORBIDDEN', api.url, CREATE, { i: { name: 'too much', scopes: ['MANAGE'] } }, editorToken);
    const key = (await ok(api.url, CREATE, { i: { name: 'gen', scopes: ['READ', 'GENERATE'] } }, editorToken)).createApiKey.secret;
    await ok(api.url, `{ workspace { id } }`, {}, key);

    const members = await ok(api.url, `{ members { id user { id } } }`, {}, owner.token);
    const membership = members.members.find((m: { user: { id: string } }) => m.user.id === editor.userId);
    await ok(api.url, `mutation($m: ID!) { removeMember(memberId: $m) { id } }`, { m: membership.id }, owner.token);
    const gone = await fails('UNAUTHENTICATED', api.url, `{ workspace { id } }`, {}, key);
    assert.equal(gone.extensions?.reason, 'NOT_A_MEMBER');
    // The removed editor's own token no longer reaches the workspace either.
    await fails('FORBIDDEN', api.url, `{ workspace { id } }`, {}, editorToken);
  });
});
