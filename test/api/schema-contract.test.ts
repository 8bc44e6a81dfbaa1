import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { SCHEMA_FILE, buildSchemaSdl } from '../../apps/api/src/common/graphql/schema-sdl';
import { committedFile, readIntendedChanges, unintendedBreakingChanges } from '../../apps/api/src/common/graphql/schema-contract';

/**
 * The agency contract: apps/api/schema.graphql is what `npm run schema` builds from the code, and
 * no commit breaks it by accident. The baseline is the last committed schema: HEAD's while the
 * working tree changes it, else the commit before HEAD (CI tests the commit that changed it).
 * A breaking change passes only when apps/api/schema-breaking-changes.json lists it, with why.
 */
let built: string;

test('the committed schema is what the resolvers build (run `npm run schema` and commit it)', async () => {
  built = await buildSchemaSdl();
  const committed = committedFile(SCHEMA_FILE) ?? readFileSync(SCHEMA_FILE, 'utf8');
  assert.ok(built.includes('type Query'), 'a schema was built');
  assert.ok(committed === built, `${SCHEMA_FILE} is not what the resolvers build; first difference:\n${firstDifference(committed, built)}`);
});

test('no breaking change against the last committed schema unless it is marked intended', async () => {
  built ??= await buildSchemaSdl();
  const head = committedFile(SCHEMA_FILE);
  const baseline = head !== null && head !== built ? head : (committedFile(SCHEMA_FILE, 'HEAD~1') ?? head ?? built);
  const unintended = await unintendedBreakingChanges(baseline, built, readIntendedChanges());
  assert.deepEqual(
    unintended,
    [],
    `breaking changes; list each in apps/api/schema-breaking-changes.json with why:\n${unintended.join('\n')}`,
  );
});

test('the check sees a removed field, a narrowed argument and a removed enum value, and honours intent', async () => {
  const before = `type Query { brand(id: ID!): Brand  brands(first: Int): [Brand!]! }
    type Brand { id: ID! name: String! slug: String channel: Channel }
    enum Channel { EMAIL_SUBJECT SMS }`;
  const after = `type Query { brand(id: ID!): Brand  brands(first: Int!): [Brand!]! }
    type Brand { id: ID! name: String! channel: Channel }
    enum Channel { EMAIL_SUBJECT }`;
  const found = await unintendedBreakingChanges(before, after, []);
  assert.equal(found.length, 3, found.join('\n'));
  assert.ok(found.some((m) => m.includes('slug')));
  assert.ok(found.some((m) => m.includes('SMS')));
  assert.ok(found.some((m) => m.includes('first')));
  const intended = found.map((change) => ({ change, why: 'a planned major version' }));
  assert.deepEqual(await unintendedBreakingChanges(before, after, intended), []);
  // Additions break nothing.
  assert.deepEqual(await unintendedBreakingChanges(before, `${before} type Campaign { id: ID! }`, []), []);
});

function firstDifference(committed: string, built: string): string {
  const [a, b] = [committed.split('\n'), built.split('\n')];
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line === -1 ? a.length : line;
  return `line ${at + 1}: committed ${JSON.stringify(a[at])}, built ${JSON.stringify(b[at])}`;
}
