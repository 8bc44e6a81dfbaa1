import assert from 'node:assert/strict';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { startApp, type TestApp } from '../support/app';
import { type Fixture, OPERATIONS, operationText, run, schemaOperations, seedWorkspace, startSweepApp } from '../support/every-operation';
import { fails, ok, signUp } from '../support/graphql';

/**
 * The audit log (docs/audit.md): every mutation in the live schema leaves a row (table-driven from
 * introspection, so a new mutation is covered the day it lands), the log is readable and
 * exportable by OWNER and ADMIN only, and the application's database role cannot change or
 * remove a row, tried against real PostgreSQL below the api.
 */
let api: TestApp;
let fx: Fixture;

before(async () => {
  api = await startSweepApp();
  fx = await seedWorkspace(api);
});
after(() => api.close());

type AuditRow = Record<string, any>;

const rowsFor = (operation: string, since: number): Promise<AuditRow[]> =>
  fx.sql(`SELECT * FROM audit_events WHERE operation = $1 AND created_at >= to_timestamp($2 / 1000.0) ORDER BY created_at`, [
    operation,
    since,
  ]);

describe('every mutation is audited', () => {
  test(
    'each mutation in the schema, called by the owner, leaves exactly one row naming it, its actor and its outcome',
    { timeout: 300_000 },
    async () => {
      const mutations = (await schemaOperations(api.url, fx.owner.token)).filter((o) => o.kind === 'mutation');
      assert.ok(mutations.length >= 30, `only ${mutations.length} mutations found`);
      const caller = fx.members.OWNER;
      const missing: string[] = [];
      for (const operation of mutations) {
        const spec = OPERATIONS[operation.name];
        assert.ok(spec, `${operation.name} is not in test/support/every-operation.ts`);
        const variables = await spec.variables({ api, fx, caller, target: 'brand1' });
        // Set-up calls (a fresh campaign to delete) are mutations too; count only from here on.
        const since = Date.now() - 1;
        const result = await run(api.url, operation, operationText(operation), variables, caller.token);
        const rows = await rowsFor(operation.name, since);
        if (rows.length === 0) {
          missing.push(operation.name);
          continue;
        }
        assert.equal(rows.length, 1, `${operation.name} left ${rows.length} rows`);
        const [row] = rows;
        const code = result.errors?.[0]?.extensions?.code;
        assert.equal(row.outcome, code ? 'FAILED' : 'SUCCEEDED', `${operation.name}: ${JSON.stringify(result.errors)}`);
        assert.equal(row.error_code, code ?? null, operation.name);
        assert.equal(row.actor_kind, 'MEMBER', operation.name);
        assert.ok(row.actor_user_id, `${operation.name} names no member`);
        assert.ok(row.workspace_id, `${operation.name} is in no workspace`);
        assert.ok(row.request_id, `${operation.name} carries no request id`);
        // Recorded where it happened: a joined workspace, a new one, the session a sign-in started.
        const elsewhere: Record<string, string> = { acceptInvitation: fx.elsewhere.workspaceId, logIn: fx.lurker.workspaceId };
        if (['signUp', 'refreshSession', 'createWorkspace'].includes(operation.name)) {
          assert.notEqual(row.workspace_id, fx.owner.workspaceId, `${operation.name} belongs to the new workspace`);
        } else {
          assert.equal(
            row.workspace_id,
            elsewhere[operation.name] ?? fx.owner.workspaceId,
            `${operation.name} recorded in the wrong workspace`,
          );
        }
      }
      assert.deepEqual(missing, [], `mutations without an audit row: ${missing.join(', ')}`);
    },
  );

  test('a sign-in is recorded as the member who signed in; a targeted mutation names its entity', async () => {
    const since = Date.now() - 1;
    await ok(api.url, `mutation($i: LogInInput!) { logIn(input: $i) { accessToken } }`, {
      i: { email: fx.lurker.email, password: fx.lurker.password },
    });
    const [login] = await rowsFor('logIn', since);
    assert.equal(login.actor_user_id, fx.lurker.userId);
    assert.equal(login.workspace_id, fx.lurker.workspaceId);

    await ok(
      api.url,
      `mutation($i: UpdateBrandInput!) { updateBrand(input: $i) { id } }`,
      { i: { id: fx.brand2.brandId, description: 'Audited' } },
      fx.owner.token,
    );
    const [update] = await rowsFor('updateBrand', since);
    assert.equal(update.entity_type, 'Brand');
    assert.equal(update.entity_id, fx.brand2.brandId);
  });

  test('a failed mutation is recorded with its error code; a key acting is recorded as the key', async () => {
    const since = Date.now() - 1;
    await fails(
      'NOT_FOUND',
      api.url,
      `mutation($id: ID!) { cancelJob(id: $id) { id } }`,
      { id: '00000000-0000-4000-8000-000000000000' },
      fx.owner.token,
    );
    const [failed] = await rowsFor('cancelJob', since);
    assert.equal(failed.outcome, 'FAILED');
    assert.equal(failed.error_code, 'NOT_FOUND');

    // A refused refresh happens outside any workspace: kept, but nobody's log shows it.
    await fails('UNAUTHENTICATED', api.url, `mutation { refreshSession(refreshToken: "not-a-refresh-token") { accessToken } }`);
    const [refused] = (await rowsFor('refreshSession', since)).filter((r) => r.outcome === 'FAILED');
    assert.equal(refused.actor_kind, 'ANONYMOUS');
    assert.equal(refused.workspace_id, null);
    assert.equal(refused.error_code, 'UNAUTHENTICATED');

    const created = await ok(
      api.url,
      `mutation { createApiKey(input: { name: "audited key", scopes: [READ, GENERATE] }) { apiKey { id } secret } }`,
      {},
      fx.owner.token,
    );
    await ok(
      api.url,
      `mutation($b: ID!) { generateCopy(input: { brandId: $b, channel: META_HEADLINE, brief: "Key use", variants: 1 }) { id } }`,
      { b: fx.brand1.brandId },
      created.createApiKey.secret,
    );
    const [keyUse] = await rowsFor('generateCopy', since);
    assert.equal(keyUse.actor_kind, 'API_KEY');
    assert.equal(keyUse.actor_api_key_id, created.createApiKey.apiKey.id);
    assert.equal(keyUse.actor_user_id, fx.owner.userId, 'the key’s creator');
    assert.equal(keyUse.entity_type, 'GenerationJob');
    assert.ok(keyUse.entity_id);
  });
});

describe('reading and exporting the log', () => {
  test('OWNER and ADMIN read it with filters and pages; EDITOR, VIEWER and a brand-limited key are refused', async () => {
    await ok(api.url, `mutation { renameWorkspace(name: "Audit Co") { id } }`, {}, fx.owner.token);
    const query = `query($f: AuditEventFilter, $first: Int, $after: String) {
      auditEvents(filter: $f, first: $first, after: $after) { nodes { id operation actorKind actorUserId createdAt } pageInfo { endCursor hasNextPage } } }`;
    const page1 = await ok(api.url, query, { f: { operation: 'renameWorkspace' }, first: 1 }, fx.members.ADMIN.token);
    assert.equal(page1.auditEvents.nodes.length, 1);
    assert.equal(page1.auditEvents.nodes[0].operation, 'renameWorkspace');
    assert.equal(page1.auditEvents.pageInfo.hasNextPage, true, 'the sweep renamed it too');
    const page2 = await ok(
      api.url,
      query,
      { f: { operation: 'renameWorkspace' }, first: 1, after: page1.auditEvents.pageInfo.endCursor },
      fx.owner.token,
    );
    assert.equal(page2.auditEvents.nodes.length, 1);
    assert.notEqual(page2.auditEvents.nodes[0].id, page1.auditEvents.nodes[0].id);

    for (const role of ['EDITOR', 'VIEWER'] as const) await fails('FORBIDDEN', api.url, query, {}, fx.members[role].token);
    const limited = await ok(
      api.url,
      `mutation($b: ID!) { createApiKey(input: { name: "brand one only", scopes: [READ, MANAGE], brandIds: [$b] }) { secret } }`,
      { b: fx.brand1.brandId },
      fx.owner.token,
    );
    await fails('FORBIDDEN', api.url, query, {}, limited.createApiKey.secret);
    const unlimited = await ok(
      api.url,
      `mutation { createApiKey(input: { name: "auditor", scopes: [READ, MANAGE] }) { secret } }`,
      {},
      fx.owner.token,
    );
    const byKey = await ok(api.url, query, { first: 5 }, unlimited.createApiKey.secret);
    assert.equal(byKey.auditEvents.nodes.length, 5);
  });

  test('another workspace’s events are not in the log', async () => {
    const theirs = await ok(api.url, `query { auditEvents(first: 100) { nodes { id } } }`, {}, fx.elsewhere.token);
    const ids: string[] = theirs.auditEvents.nodes.map((n: AuditRow) => n.id);
    assert.ok(ids.length > 0, 'elsewhere invited people, so it has events');
    const rows = await fx.sql(`SELECT DISTINCT workspace_id FROM audit_events WHERE id = ANY($1::uuid[])`, [ids]);
    assert.deepEqual(
      rows.map((r) => r.workspace_id),
      [fx.elsewhere.workspaceId],
    );
    const owners = await fx.sql(`SELECT count(*)::int AS n FROM audit_events WHERE workspace_id = $1`, [fx.owner.workspaceId]);
    assert.ok(Number(owners[0].n) > 0, 'the owner’s workspace has events that did not show');
  });

  test('bad filters and limits are named', async () => {
    const err = await fails(
      'BAD_USER_INPUT',
      api.url,
      `query { auditEvents(filter: { actorUserId: "nope" }) { nodes { id } } }`,
      {},
      fx.owner.token,
    );
    assert.equal(err.extensions?.field, 'filter.actorUserId');
    const limit = await fails('BAD_USER_INPUT', api.url, `query { auditEventsExport(format: CSV, limit: 0) }`, {}, fx.owner.token);
    assert.equal(limit.extensions?.field, 'limit');
  });

  test('CSV and JSONL exports hold the same rows as the query, and the export itself is audited', async () => {
    const filter = { operation: 'renameWorkspace' };
    const listed = await ok(
      api.url,
      `query($f: AuditEventFilter) { auditEvents(filter: $f, first: 100) { nodes { id requestId } } }`,
      { f: filter },
      fx.owner.token,
    );
    const ids = listed.auditEvents.nodes.map((n: AuditRow) => n.id);
    assert.ok(ids.length >= 2);

    const since = Date.now() - 1;
    const jsonl = await ok(
      api.url,
      `query($f: AuditEventFilter) { auditEventsExport(format: JSONL, filter: $f) }`,
      { f: filter },
      fx.owner.token,
    );
    const objects = (jsonl.auditEventsExport as string)
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.deepEqual(
      objects.map((o) => o.id),
      ids,
    );
    assert.ok(objects.every((o) => o.operation === 'renameWorkspace' && o.actorKind === 'MEMBER'));

    const csv = await ok(
      api.url,
      `query($f: AuditEventFilter) { auditEventsExport(format: CSV, filter: $f) }`,
      { f: filter },
      fx.owner.token,
    );
    const lines = (csv.auditEventsExport as string).split('\r\n').filter(Boolean);
    const header = lines[0].split(',');
    assert.equal(header[0], 'id');
    assert.ok(header.includes('requestId'));
    assert.deepEqual(
      lines.slice(1).map((l) => l.split(',')[0]),
      ids,
    );

    const exports = await rowsFor('auditEventsExport', since);
    assert.equal(exports.length, 2);
    assert.ok(exports.every((r) => r.actor_user_id === fx.owner.userId && r.outcome === 'SUCCEEDED'));
  });
});

describe('append-only below the api', () => {
  async function as<T>(role: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: api.database.url, options: `-c role=${role}` });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT set_config('app.workspace_id', $1, true), set_config('app.brand_ids', '*', true)`, [fx.owner.workspaceId]);
      return await fn(client);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end();
    }
  }
  const attempt = async (role: string, sql: string, id?: string): Promise<string> =>
    as(role, async (c) => {
      try {
        const result = await c.query(sql, id ? [id] : []);
        return `no error (${result.rowCount} rows)`;
      } catch (err) {
        return (err as Error).message;
      }
    });

  test('the application role can read and insert its workspace’s rows, but UPDATE, DELETE and TRUNCATE are refused', async () => {
    const [row]: AuditRow[] = await fx.sql(`SELECT id, operation FROM audit_events WHERE workspace_id = $1 ORDER BY created_at LIMIT 1`, [
      fx.owner.workspaceId,
    ]);
    assert.ok(row, 'the owner’s workspace has events');
    const visible = await as('brandwright_app', (c) => c.query(`SELECT id FROM audit_events WHERE id = $1`, [row.id]));
    assert.equal(visible.rowCount, 1, 'the app reads its own workspace’s rows');
    const inserted = await as('brandwright_app', (c) =>
      c.query(`INSERT INTO audit_events (workspace_id, actor_kind, operation, outcome) VALUES ($1, 'SYSTEM', 'probe', 'SUCCEEDED')`, [
        fx.owner.workspaceId,
      ]),
    );
    assert.equal(inserted.rowCount, 1);

    assert.match(
      await attempt('brandwright_app', `UPDATE audit_events SET operation = 'forged' WHERE id = $1`, row.id),
      /permission denied/,
    );
    assert.match(await attempt('brandwright_app', `DELETE FROM audit_events WHERE id = $1`, row.id), /permission denied/);
    assert.match(await attempt('brandwright_app', `TRUNCATE audit_events`), /permission denied/);
    const [after] = await fx.sql(`SELECT operation FROM audit_events WHERE id = $1`, [row.id]);
    assert.equal(after.operation, row.operation);
  });

  test('the trigger refuses UPDATE and DELETE even to a role that was granted them and bypasses row-level security', async () => {
    const probe = `audit_probe_${process.pid}`;
    await fx.sql(`CREATE ROLE ${probe} NOLOGIN BYPASSRLS`);
    await fx.sql(`GRANT ALL ON audit_events TO ${probe}`);
    try {
      const [row]: AuditRow[] = await fx.sql(`SELECT id, operation FROM audit_events WHERE workspace_id = $1 LIMIT 1`, [
        fx.owner.workspaceId,
      ]);
      assert.match(await attempt(probe, `UPDATE audit_events SET operation = 'forged' WHERE id = $1`, row.id), /append-only: UPDATE/);
      assert.match(await attempt(probe, `DELETE FROM audit_events WHERE id = $1`, row.id), /append-only: DELETE/);
      const [after] = await fx.sql(`SELECT operation FROM audit_events WHERE id = $1`, [row.id]);
      assert.equal(after.operation, row.operation);
    } finally {
      await fx.sql(`REVOKE ALL ON audit_events FROM ${probe}`);
      await fx.sql(`DROP ROLE ${probe}`);
    }
  });
});

describe('review of copy variants, bound to the exact text', () => {
  const VARIANT = `id status version contentHash approvedHash approvedBy approvalSuperseded text`;
  const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
  const call = (mutation: string, id: string, extra = '') =>
    ok(api.url, `mutation($id: ID!) { ${mutation}(id: $id${extra}) { ${VARIANT} } }`, { id }, fx.owner.token).then((d) => d[mutation]);
  const variant = async (status = 'DRAFT', text = `Fresh words ${randomUUID().slice(0, 6)}`): Promise<string> => {
    const [row] = await fx.sql(
      `INSERT INTO copy_variants (workspace_id, job_id, brand_id, campaign_id, channel, rank, text, seed, voice_report, voice_score, status)
       SELECT workspace_id, job_id, brand_id, campaign_id, channel, 2000 + (random() * 1000000)::int, $2, seed, voice_report, voice_score, $3
         FROM copy_variants WHERE id = $1 RETURNING id`,
      [fx.brand2.variantId, text, status],
    );
    return row.id as string;
  };
  const approvedInCampaign = async (): Promise<string[]> => {
    const data = await ok(
      api.url,
      `query($c: ID!) { campaign(id: $c) { variants(approvedOnly: true) { id status approvalSuperseded } } }`,
      { c: fx.brand2.campaignId },
      fx.owner.token,
    );
    for (const v of data.campaign.variants) assert.equal(v.status, 'APPROVED');
    return data.campaign.variants.map((v: AuditRow) => v.id);
  };

  test('DRAFT → IN_REVIEW → CHANGES_REQUESTED → IN_REVIEW → APPROVED; the approval records the hash of the exact text', async () => {
    const text = 'Spring is here at Zulu';
    const id = await variant('DRAFT', text);
    assert.equal((await call('submitVariantForReview', id)).status, 'IN_REVIEW');
    assert.equal((await call('requestVariantChanges', id)).status, 'CHANGES_REQUESTED');
    assert.equal((await call('submitVariantForReview', id)).status, 'IN_REVIEW');
    const since = Date.now() - 1;
    const approved = await call('approveVariant', id);
    assert.equal(approved.status, 'APPROVED');
    assert.equal(approved.contentHash, sha256(text));
    assert.equal(approved.approvedHash, sha256(text));
    assert.equal(approved.approvedBy, fx.owner.userId);
    assert.equal(approved.approvalSuperseded, false);
    const [row] = await rowsFor('approveVariant', since);
    assert.equal(row.entity_type, 'CopyVariant');
    assert.equal(row.entity_id, id);
    assert.equal(row.after_hash, sha256(text), 'the audit row names the version approved');
  });

  test('moves the state machine does not allow are refused with CONFLICT', async () => {
    const draft = await variant('DRAFT');
    const err = await fails(
      'CONFLICT',
      api.url,
      `mutation($id: ID!) { requestVariantChanges(id: $id) { id } }`,
      { id: draft },
      fx.owner.token,
    );
    assert.match(err.message, /DRAFT/);
    const inReview = await variant('IN_REVIEW');
    await fails('CONFLICT', api.url, `mutation($id: ID!) { submitVariantForReview(id: $id) { id } }`, { id: inReview }, fx.owner.token);
    await fails('BAD_USER_INPUT', api.url, `mutation($id: ID!) { editVariant(id: $id, text: "  ") { id } }`, { id: draft }, fx.owner.token);
  });

  test('an edit after approval voids it: back to DRAFT, a new version, the approval superseded, gone from approved lists', async () => {
    const id = await variant('DRAFT', 'Version one');
    const kept = await variant('DRAFT', 'Approved and untouched');
    await call('approveVariant', id);
    await call('approveVariant', kept);
    let listed = await approvedInCampaign();
    assert.ok(listed.includes(id) && listed.includes(kept));

    const since = Date.now() - 1;
    const edited = await ok(
      api.url,
      `mutation($id: ID!) { editVariant(id: $id, text: "Version two") { ${VARIANT} } }`,
      { id },
      fx.owner.token,
    );
    assert.equal(edited.editVariant.status, 'DRAFT');
    assert.equal(edited.editVariant.version, 2);
    assert.equal(edited.editVariant.approvedHash, sha256('Version one'));
    assert.equal(edited.editVariant.contentHash, sha256('Version two'));
    assert.equal(edited.editVariant.approvalSuperseded, true);
    listed = await approvedInCampaign();
    assert.ok(!listed.includes(id), 'the edited variant is no longer approved');
    assert.ok(listed.includes(kept));
    const [row] = await rowsFor('editVariant', since);
    assert.equal(row.before_hash, sha256('Version one'));
    assert.equal(row.after_hash, sha256('Version two'));
  });

  test('an edit is judged again against the voice: text over the channel’s limit needs a reason to be approved', async () => {
    const id = await variant('DRAFT', 'Short and fine');
    const long = 'Much too long for a headline '.repeat(10).trim();
    const edited = await ok(
      api.url,
      `mutation($id: ID!, $t: String!) { editVariant(id: $id, text: $t) { passesHardRules voiceReport { hardRulesPassed } } }`,
      { id, t: long },
      fx.owner.token,
    );
    assert.deepEqual(edited.editVariant, { passesHardRules: false, voiceReport: { hardRulesPassed: false } });
    const err = await fails('BAD_USER_INPUT', api.url, `mutation($id: ID!) { approveVariant(id: $id) { id } }`, { id }, fx.owner.token);
    assert.equal(err.extensions?.field, 'reason');
  });

  test('below the api, any change of an approved text drops it to DRAFT, and APPROVED cannot name another version', async () => {
    const id = await variant('DRAFT', 'Signed off');
    await call('approveVariant', id);
    const client = new pg.Client({ connectionString: api.database.url, options: '-c role=brandwright_app' });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT set_config('app.workspace_id', $1, true), set_config('app.brand_ids', '*', true)`, [fx.owner.workspaceId]);
      const { rows } = await client.query(`UPDATE copy_variants SET text = 'Quietly changed' WHERE id = $1 RETURNING status, version`, [
        id,
      ]);
      assert.deepEqual(rows, [{ status: 'DRAFT', version: 2 }]);
      await assert.rejects(
        client.query(`UPDATE copy_variants SET status = 'APPROVED' WHERE id = $1`, [id]),
        /copy_variants_approved_exact/,
      );
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end();
    }
  });
});

describe('billing changes Stripe makes', () => {
  const secret = 'whsec_audit_test_secret';
  let stripeApp: TestApp;
  before(async () => {
    stripeApp = await startApp({ STRIPE_SECRET_KEY: 'sk_test_audit', STRIPE_WEBHOOK_SECRET: secret });
  });
  after(() => stripeApp.close());

  test('a payment outcome from a Stripe webhook is recorded as the system, in the customer’s workspace', async () => {
    const person = await signUp(stripeApp.url, 'Payer');
    const customer = `cus_${randomUUID().slice(0, 8)}`;
    const sql = async (text: string, params: unknown[]) => {
      const client = new pg.Client({ connectionString: stripeApp.database.url });
      await client.connect();
      try {
        return (await client.query(text, params)).rows;
      } finally {
        await client.end();
      }
    };
    await sql(
      `INSERT INTO billing_accounts (workspace_id, stripe_customer_id) VALUES ($1, $2)
       ON CONFLICT (workspace_id) DO UPDATE SET stripe_customer_id = $2`,
      [person.workspaceId, customer],
    );
    const signedAt = Math.floor(Date.now() / 1000);
    const eventId = `evt_${randomUUID()}`;
    const body = JSON.stringify({
      id: eventId,
      object: 'event',
      type: 'invoice.payment_failed',
      created: signedAt,
      data: { object: { object: 'invoice', customer } },
    });
    const v1 = createHmac('sha256', secret).update(`${signedAt}.${body}`).digest('hex');
    const response = await fetch(`${stripeApp.url}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': `t=${signedAt},v1=${v1}` },
      body,
    });
    assert.equal(response.status, 200, await response.text());
    const listed = await ok(
      stripeApp.url,
      `query { auditEvents(filter: { entityType: "StripeEvent" }) { nodes { actorKind operation entityId actorUserId } } }`,
      {},
      person.token,
    );
    assert.deepEqual(listed.auditEvents.nodes, [
      { actorKind: 'SYSTEM', operation: 'stripe.invoice.payment_failed', entityId: eventId, actorUserId: null },
    ]);
  });
});
