import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { startApp, type TestApp } from '../support/app';
import { fails, gql, ok, signUp } from '../support/graphql';

/**
 * Two workspaces, A and B, each with a brand, a campaign, an API key, a pending invitation and a
 * second member. Everything of B's is then attempted from A, by a person and by an API key.
 */
let api: TestApp;
type Tenant = Awaited<ReturnType<typeof seedTenant>>;
let a: Tenant;
let b: Tenant;

async function seedTenant(name: string) {
  const owner = await signUp(api.url, name);
  const brand = await ok(
    api.url,
    `mutation { createBrand(input: { name: "${name} Brand", palette: ["#112233"] }) { id } }`,
    {},
    owner.token,
  );
  const brandId: string = brand.createBrand.id;
  const campaign = await ok(
    api.url,
    `mutation($b: ID!) { createCampaign(input: { brandId: $b, name: "Launch", objective: SALES, channels: [META_HEADLINE] }) { id } }`,
    { b: brandId },
    owner.token,
  );
  const key = await ok(
    api.url,
    `mutation { createApiKey(input: { name: "agency", scopes: [READ, GENERATE, MANAGE] }) { secret apiKey { id } } }`,
    {},
    owner.token,
  );
  const invitation = await ok(
    api.url,
    `mutation { inviteMember(input: { email: "pending-${name.toLowerCase()}@example.com", role: VIEWER }) { invitation { id } } }`,
    {},
    owner.token,
  );
  const member = await signUp(api.url, `${name}Member`);
  const invite = await ok(
    api.url,
    `mutation($e: String!) { inviteMember(input: { email: $e, role: EDITOR }) { token } }`,
    { e: member.email },
    owner.token,
  );
  await ok(api.url, `mutation($t: String!) { acceptInvitation(token: $t) { id } }`, { t: invite.inviteMember.token }, member.token);
  const members = await ok(api.url, `{ members { id user { id } } }`, {}, owner.token);
  const membershipId: string = members.members.find((m: { user: { id: string } }) => m.user.id === member.userId).id;
  const job = await ok(
    api.url,
    `mutation($b: ID!) { generateCopy(input: { brandId: $b, channel: META_HEADLINE, brief: "Launch", variants: 1 }) { id } }`,
    { b: brandId },
    owner.token,
  );
  const jobId: string = job.generateCopy.id;
  const endpoint = await ok(
    api.url,
    `mutation { createWebhookEndpoint(input: { url: "https://hooks.example.com/${name}", events: [JOB_COMPLETED] }) { endpoint { id } } }`,
    {},
    owner.token,
  );
  // A finished variant, written as the table owner (no worker runs in this file).
  const variantId = await asOwner(
    async (c) =>
      (
        await c.query(
          `INSERT INTO copy_variants (workspace_id, job_id, brand_id, channel, rank, text, seed, voice_report, voice_score)
       VALUES ($1, $2, $3, 'META_HEADLINE', 0, 'Hello', 1, '{}', 50) RETURNING id`,
          [owner.workspaceId, jobId, brandId],
        )
      ).rows[0].id as string,
  );
  return {
    jobId,
    endpointId: endpoint.createWebhookEndpoint.endpoint.id as string,
    variantId,
    owner,
    brandId,
    campaignId: campaign.createCampaign.id as string,
    apiKey: key.createApiKey.secret as string,
    apiKeyId: key.createApiKey.apiKey.id as string,
    invitationId: invitation.inviteMember.invitation.id as string,
    membershipId,
  };
}

async function asOwner<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: api.database.url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

before(async () => {
  api = await startApp();
  a = await seedTenant('Alpha');
  b = await seedTenant('Bravo');
});
after(() => api.close());

const attempts = (t: Tenant): Array<[string, string, Record<string, unknown>]> => [
  ['brand', `query($id: ID!) { brand(id: $id) { id } }`, { id: t.brandId }],
  ['updateBrand', `mutation($id: ID!) { updateBrand(input: { id: $id, name: "Mine now" }) { id } }`, { id: t.brandId }],
  ['deleteBrand', `mutation($id: ID!) { deleteBrand(id: $id) { id } }`, { id: t.brandId }],
  ['campaign', `query($id: ID!) { campaign(id: $id) { id } }`, { id: t.campaignId }],
  ['updateCampaign', `mutation($id: ID!) { updateCampaign(input: { id: $id, name: "Mine" }) { id } }`, { id: t.campaignId }],
  ['deleteCampaign', `mutation($id: ID!) { deleteCampaign(id: $id) { id } }`, { id: t.campaignId }],
  [
    'createCampaign on their brand',
    `mutation($b: ID!) { createCampaign(input: { brandId: $b, name: "X", objective: LEADS }) { id } }`,
    { b: t.brandId },
  ],
  [
    'createApiKey on their brand',
    `mutation($b: ID!) { createApiKey(input: { name: "x", scopes: [READ], brandIds: [$b] }) { secret } }`,
    { b: t.brandId },
  ],
  ['revokeApiKey', `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: t.apiKeyId }],
  ['revokeInvitation', `mutation($id: ID!) { revokeInvitation(id: $id) { id } }`, { id: t.invitationId }],
  ['changeMemberRole', `mutation($id: ID!) { changeMemberRole(input: { memberId: $id, role: VIEWER }) { id } }`, { id: t.membershipId }],
  ['removeMember', `mutation($id: ID!) { removeMember(memberId: $id) { id } }`, { id: t.membershipId }],
  ['job', `query($id: ID!) { job(id: $id) { id } }`, { id: t.jobId }],
  ['cancelJob', `mutation($id: ID!) { cancelJob(id: $id) { id } }`, { id: t.jobId }],
  ['approveVariant', `mutation($id: ID!) { approveVariant(id: $id) { id } }`, { id: t.variantId }],
  ['rejectVariant', `mutation($id: ID!) { rejectVariant(id: $id) { id } }`, { id: t.variantId }],
  [
    'generateCopy on their brand',
    `mutation($b: ID!) { generateCopy(input: { brandId: $b, channel: META_HEADLINE, brief: "x", variants: 1 }) { id } }`,
    { b: t.brandId },
  ],
  [
    'generateAdImages on their brand',
    `mutation($b: ID!) { generateAdImages(input: { brandId: $b, prompt: "x", headline: "x", formats: [SQUARE], variants: 1 }) { id } }`,
    { b: t.brandId },
  ],
  ['deleteWebhookEndpoint', `mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { id } }`, { id: t.endpointId }],
];

describe('a person of workspace A', () => {
  for (const [name, query, variables] of attempts({} as Tenant).map((x, i) => [x[0], x[1], i] as const)) {
    test(`gets NOT_FOUND or FORBIDDEN for B's ids: ${name}`, async () => {
      const [, , vars] = attempts(b)[variables as number];
      const result = await gql(api.url, query, vars, a.owner.token);
      assert.ok(result.errors, `${name} succeeded across workspaces: ${JSON.stringify(result.data)}`);
      assert.ok(['NOT_FOUND', 'FORBIDDEN'].includes(result.errors[0].extensions?.code as string), JSON.stringify(result.errors));
    });
  }

  test('cannot switch into B, and sees none of B in any list', async () => {
    await fails(
      'FORBIDDEN',
      api.url,
      `mutation($w: ID!) { switchWorkspace(workspaceId: $w) { accessToken } }`,
      { w: b.owner.workspaceId },
      a.owner.token,
    );
    const lists = await ok(
      api.url,
      `{ myWorkspaces { id } workspace { id } brands(first: 100) { nodes { id } } campaigns(first: 100) { nodes { id } } apiKeys { id } members { id } invitations { id }
         jobs(first: 100) { nodes { id } } webhookEndpoints { id } webhookDeliveries(first: 100) { nodes { id } } billing { plan { id } } usage { byMeter { meter } } }`,
      {},
      a.owner.token,
    );
    const text = JSON.stringify(lists);
    for (const id of [
      b.owner.workspaceId,
      b.brandId,
      b.campaignId,
      b.apiKeyId,
      b.invitationId,
      b.membershipId,
      b.jobId,
      b.endpointId,
      b.variantId,
    ]) {
      assert.ok(!text.includes(id), `B's ${id} is visible to A`);
    }
    assert.ok(text.includes(a.brandId) && text.includes(a.campaignId) && text.includes(a.jobId), 'A still sees its own');
    const theirs = await gql(
      api.url,
      `query($e: ID) { webhookDeliveries(endpointId: $e) { nodes { id } } }`,
      { e: b.endpointId },
      a.owner.token,
    );
    assert.deepEqual(theirs.data?.webhookDeliveries?.nodes ?? [], []);
  });

  test('cannot download B’s brand logo', async () => {
    const response = await fetch(`${api.url}/brands/${b.brandId}/logo`, { headers: { authorization: `Bearer ${a.owner.token}` } });
    assert.equal(response.status, 404);
  });
});

describe('an API key of workspace A', () => {
  test('gets NOT_FOUND or FORBIDDEN for every one of B’s ids', async () => {
    for (const [name, query, vars] of attempts(b)) {
      const result = await gql(api.url, query, vars, a.apiKey);
      assert.ok(result.errors, `${name} succeeded across workspaces with a key`);
      assert.ok(
        ['NOT_FOUND', 'FORBIDDEN'].includes(result.errors[0].extensions?.code as string),
        `${name}: ${JSON.stringify(result.errors)}`,
      );
    }
  });

  test('limited to one brand, it sees only that brand', async () => {
    const other = await ok(api.url, `mutation { createBrand(input: { name: "Alpha Other" }) { id } }`, {}, a.owner.token);
    const key = await ok(
      api.url,
      `mutation($b: ID!) { createApiKey(input: { name: "one brand", scopes: [READ], brandIds: [$b] }) { secret } }`,
      { b: a.brandId },
      a.owner.token,
    );
    const seen = await ok(api.url, `{ brands { nodes { id } } }`, {}, key.createApiKey.secret);
    assert.deepEqual(
      seen.brands.nodes.map((n: { id: string }) => n.id),
      [a.brandId],
    );
    await fails('NOT_FOUND', api.url, `query($id: ID!) { brand(id: $id) { id } }`, { id: other.createBrand.id }, key.createApiKey.secret);
  });
});

describe('row-level security, below the application', () => {
  async function asApp<T>(workspaceId: string | null, fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: api.database.url, options: '-c role=brandwright_app' });
    await client.connect();
    try {
      await client.query('BEGIN');
      if (workspaceId) await client.query(`SELECT set_config('app.workspace_id', $1, true)`, [workspaceId]);
      await client.query(`SELECT set_config('app.brand_ids', '*', true)`); // every brand (see brand-limits.test.ts)
      const result = await fn(client);
      await client.query('ROLLBACK');
      return result;
    } finally {
      await client.end();
    }
  }

  async function tenantTables(): Promise<string[]> {
    const owner = new pg.Client({ connectionString: api.database.url });
    await owner.connect();
    try {
      const { rows } = await owner.query(
        `SELECT c.table_name, t.relrowsecurity, t.relforcerowsecurity
           FROM information_schema.columns c JOIN pg_class t ON t.relname = c.table_name AND t.relkind = 'r'
          WHERE c.table_schema = 'public' AND c.column_name = 'workspace_id'`,
      );
      for (const row of rows) {
        assert.ok(row.relrowsecurity && row.relforcerowsecurity, `${row.table_name} lacks ENABLE + FORCE row-level security`);
      }
      return rows.map((r) => r.table_name as string);
    } finally {
      await owner.end();
    }
  }

  test('every tenant table has RLS forced, and a bare SELECT * under A returns none of B’s rows', async () => {
    const tables = await tenantTables();
    for (const expected of ['memberships', 'invitations', 'api_keys', 'brands', 'campaigns']) assert.ok(tables.includes(expected));
    for (const table of tables) {
      const rows = await asApp(a.owner.workspaceId, async (c) => (await c.query(`SELECT * FROM "${table}"`)).rows);
      const foreign = rows.filter((r) => r.workspace_id !== a.owner.workspaceId);
      assert.equal(foreign.length, 0, `${table}: ${foreign.length} rows of another workspace visible under A`);
      const none = await asApp(null, async (c) => (await c.query(`SELECT count(*)::int AS n FROM "${table}"`)).rows[0].n);
      assert.equal(none, 0, `${table}: rows visible with no workspace set`);
    }
    const brands = await asApp(a.owner.workspaceId, async (c) => (await c.query(`SELECT id FROM brands`)).rows.map((r) => r.id));
    assert.ok(brands.includes(a.brandId), 'A’s own rows are visible under A');
    const workspaces = await asApp(a.owner.workspaceId, async (c) => (await c.query(`SELECT id FROM workspaces`)).rows.map((r) => r.id));
    assert.deepEqual(workspaces, [a.owner.workspaceId]);
  });

  test('an insert into another workspace is refused by the policy', async () => {
    await assert.rejects(
      asApp(a.owner.workspaceId, (c) =>
        c.query(`INSERT INTO brands (workspace_id, name, style_rules) VALUES ($1, 'Smuggled', '{}')`, [b.owner.workspaceId]),
      ),
      /row-level security/,
    );
  });
});

describe('client webhooks', () => {
  test('an endpoint on a private or local address is refused by default', async () => {
    const error = await fails(
      'BAD_USER_INPUT',
      api.url,
      `mutation { createWebhookEndpoint(input: { url: "http://169.254.169.254/latest", events: [JOB_COMPLETED] }) { secret } }`,
      {},
      a.owner.token,
    );
    assert.equal(error.extensions?.field, 'input.url');
  });
});
