import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { TestApp } from '../support/app';
import { type GraphqlResult, ok } from '../support/graphql';
import {
  type Caller,
  type Fixture,
  OPERATIONS,
  type Target,
  operationText,
  run,
  schemaOperations,
  seedWorkspace,
  startSweepApp,
} from '../support/every-operation';

/**
 * An API key limited to brand 2 of a workspace that also holds brand 1, run against EVERY query,
 * mutation and subscription the live schema has (read by introspection, not listed by hand).
 * It must never see a brand-1 id or name; workspace-level operations refuse it with FORBIDDEN;
 * brand-scoped ones work on brand 2 and answer NOT_FOUND for brand 1. Below the api, the
 * row-level security policies are checked table by table.
 */
let api: TestApp;
let fx: Fixture;
let limited: Caller;

before(async () => {
  api = await startSweepApp();
  fx = await seedWorkspace(api);
  const key = await ok(
    api.url,
    `mutation($b: ID!) { createApiKey(input: { name: "brand two only", scopes: [READ, GENERATE, MANAGE], brandIds: [$b] }) { secret } }`,
    { b: fx.brand2.brandId },
    fx.owner.token,
  );
  limited = { kind: 'apiKey', token: key.createApiKey.secret, label: 'key limited to brand 2' };
});
after(() => api.close());

/** Every string that would show that brand 1 leaked. */
function brandOneMarkers(): string[] {
  const b = fx.brand1;
  return [b.brandId, b.brandName, b.campaignId, b.campaignName, b.jobId, b.variantId, b.variantText, b.assetId, b.deliveryId];
}

/**
 * No brand-1 id or name anywhere in the answer. An error may repeat an id the caller itself sent
 * ("Brand … was not found"): that tells it nothing, so the sent values are blanked in errors only.
 */
function assertNoBrandOne(result: GraphqlResult, what: string, sent: Record<string, unknown> = {}): void {
  let errors = JSON.stringify(result.errors ?? []);
  for (const value of JSON.stringify(sent).match(/[0-9a-f-]{36}/g) ?? []) errors = errors.split(value).join('(sent)');
  const text = JSON.stringify(result.data) + errors;
  for (const marker of brandOneMarkers())
    assert.ok(!text.includes(marker), `${what}: brand 1's ${marker} is in the answer: ${text.slice(0, 400)}`);
}

describe('a key limited to brand 2, on every operation in the schema', () => {
  test('every operation is classified, and each behaves as its class says', { timeout: 240_000 }, async () => {
    const operations = await schemaOperations(api.url, fx.owner.token);
    assert.ok(operations.length >= 40, `the schema lists only ${operations.length} operations`);
    const unclassified = operations.filter((o) => !OPERATIONS[o.name]).map((o) => o.name);
    assert.deepEqual(unclassified, [], `operations nobody classified for brand limits and roles: ${unclassified.join(', ')}`);

    const outcomes: string[] = [];
    for (const operation of operations) {
      const spec = OPERATIONS[operation.name];
      const call = async (target: Target) => {
        const variables = await spec.variables({ api, fx, caller: limited, target });
        return { variables, result: await run(api.url, operation, operationText(operation), variables, limited.token) };
      };
      const { result: own } = await call('brand2');
      assertNoBrandOne(own, `${operation.name} (brand 2)`);

      if (spec.access === 'public') {
        outcomes.push(`${operation.name}: public`);
        continue;
      }
      if (spec.access === 'signedIn') {
        assert.equal(own.errors?.[0]?.extensions?.code, 'FORBIDDEN', `${operation.name} must refuse API keys: ${JSON.stringify(own)}`);
        outcomes.push(`${operation.name}: people only`);
        continue;
      }
      if (spec.brand === 'workspace') {
        const error = own.errors?.[0];
        assert.equal(
          error?.extensions?.code,
          'FORBIDDEN',
          `${operation.name} is workspace-level but a brand-limited key got ${JSON.stringify(own)}`,
        );
        assert.match(error!.message, /limited to some brands/, `${operation.name}: the refusal should say why`);
        outcomes.push(`${operation.name}: refused`);
        continue;
      }
      // Brand-scoped: works on brand 2 ...
      assert.equal(own.errors, undefined, `${operation.name} on brand 2 should work: ${JSON.stringify(own.errors)}`);
      assert.ok(own.data?.[operation.name] != null, `${operation.name} on brand 2 returned nothing`);
      if (spec.lists) {
        assert.ok(
          JSON.stringify(own.data).includes(fx.brand2.brandId),
          `${operation.name} should list brand 2's rows (an empty list proves nothing)`,
        );
      }
      // ... and brand 1 does not exist for it.
      if (spec.targeted) {
        const { variables, result: other } = await call('brand1');
        assertNoBrandOne(other, `${operation.name} (brand 1)`, variables);
        // Subscription errors carry no extensions.code until issue 12's graphql-ws fix lands; till then the message decides.
        const error = other.errors?.[0];
        const uncoded = operation.kind === 'subscription' && !error?.extensions?.code;
        const notFound = uncoded ? /was not found/.test(error?.message ?? '') : error?.extensions?.code === 'NOT_FOUND';
        assert.ok(notFound, `${operation.name} on brand 1 should be NOT_FOUND: ${JSON.stringify(other)}`);
      }
      outcomes.push(`${operation.name}: brand-scoped`);
    }
    assert.equal(outcomes.length, operations.length);
  });

  test('brand 1’s rows are unchanged after the sweep', async () => {
    const b = fx.brand1;
    const [row] = await fx.sql(
      `SELECT (SELECT name FROM brands WHERE id = $1) AS brand, (SELECT count(*)::int FROM campaigns WHERE id = $2) AS campaigns,
              (SELECT status FROM generation_jobs WHERE id = $3) AS job, (SELECT status FROM copy_variants WHERE id = $4) AS variant,
              (SELECT count(*)::int FROM campaigns WHERE brand_id = $1) AS all_campaigns`,
      [b.brandId, b.campaignId, b.jobId, b.variantId],
    );
    assert.deepEqual(row, { brand: b.brandName, campaigns: 1, job: 'QUEUED', variant: 'DRAFT', all_campaigns: 1 });
  });

  test('the brand logo route serves brand 2’s logo and 404s brand 1’s', async () => {
    const get = (id: string) => fetch(`${api.url}/brands/${id}/logo`, { headers: { authorization: `Bearer ${limited.token}` } });
    assert.equal((await get(fx.brand2.brandId)).status, 200);
    const theirs = await get(fx.brand1.brandId);
    assert.equal(theirs.status, 404);
    assert.ok(!(await theirs.text()).includes(fx.brand1.brandName));
  });
});

describe('row-level security on brand-owned tables, below the api', () => {
  async function asApp<T>(brandIds: string | null, fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: api.database.url, options: '-c role=brandwright_app' });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT set_config('app.workspace_id', $1, true)`, [fx.owner.workspaceId]);
      if (brandIds !== null) await client.query(`SELECT set_config('app.brand_ids', $1, true)`, [brandIds]);
      const result = await fn(client);
      await client.query('ROLLBACK');
      return result;
    } finally {
      await client.end();
    }
  }

  async function brandOwnedTables(): Promise<Array<{ table: string; column: string }>> {
    const rows = await fx.sql(
      `SELECT c.table_name AS table, c.column_name AS column FROM information_schema.columns c
        JOIN pg_class t ON t.relname = c.table_name AND t.relkind = 'r'
       WHERE c.table_schema = 'public' AND (c.column_name = 'brand_id' OR (c.table_name = 'brands' AND c.column_name = 'id'))
       ORDER BY 1`,
    );
    return rows as Array<{ table: string; column: string }>;
  }

  test('every table with a brand carries the brand_limit policy', async () => {
    const tables = (await brandOwnedTables()).map((t) => t.table);
    for (const expected of ['assets', 'brands', 'campaigns', 'copy_variants', 'generation_jobs', 'webhook_deliveries']) {
      assert.ok(tables.includes(expected), `${expected} has no brand column`);
    }
    const policies = (
      await fx.sql(`SELECT tablename FROM pg_policies WHERE policyname = 'brand_limit' AND permissive = 'RESTRICTIVE'`)
    ).map((r) => r.tablename as string);
    const missing = tables.filter((t) => !policies.includes(t));
    assert.deepEqual(missing, [], `brand-owned tables without a restrictive brand_limit policy: ${missing.join(', ')}`);
  });

  test('limited to brand 2, a bare SELECT * sees only brand 2; unset, it sees no brand at all', async () => {
    for (const { table, column } of await brandOwnedTables()) {
      const limitedRows = await asApp(
        `{${fx.brand2.brandId}}`,
        async (c) => (await c.query(`SELECT "${column}" AS brand FROM "${table}"`)).rows,
      );
      assert.ok(limitedRows.length > 0, `${table}: brand 2 has rows here, and the limited view shows none`);
      const foreign = limitedRows.filter((r) => r.brand !== fx.brand2.brandId);
      assert.equal(foreign.length, 0, `${table}: ${foreign.length} rows of another brand visible to a brand-2 limit`);

      const all = await asApp('*', async (c) => (await c.query(`SELECT "${column}" AS brand FROM "${table}"`)).rows);
      assert.ok(
        all.some((r) => r.brand === fx.brand1.brandId),
        `${table}: '*' should show every brand`,
      );
      for (const forgotten of [null, '']) {
        const n = await asApp(forgotten, async (c) => (await c.query(`SELECT count(*)::int AS n FROM "${table}"`)).rows[0].n);
        assert.equal(n, 0, `${table}: rows visible with app.brand_ids ${forgotten === null ? 'unset' : 'empty'}`);
      }
    }
  });

  test('a write into brand 1 under a brand-2 limit is refused by the policy', async () => {
    await assert.rejects(
      asApp(`{${fx.brand2.brandId}}`, (c) =>
        c.query(`INSERT INTO campaigns (workspace_id, brand_id, name, objective) VALUES ($1, $2, 'Smuggled', 'SALES')`, [
          fx.owner.workspaceId,
          fx.brand1.brandId,
        ]),
      ),
      /row-level security/,
    );
    const moved = await asApp(`{${fx.brand2.brandId}}`, async (c) =>
      c.query(`UPDATE campaigns SET brand_id = $1 WHERE id = $2`, [fx.brand1.brandId, fx.brand2.campaignId]).then(
        () => 'moved',
        (err: Error) => err.message,
      ),
    );
    assert.match(moved, /row-level security/);
  });
});
