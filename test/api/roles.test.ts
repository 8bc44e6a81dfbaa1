import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestApp } from '../support/app';
import {
  type Fixture,
  OPERATIONS,
  ROLES,
  allowedFor,
  operationText,
  run,
  schemaOperations,
  seedWorkspace,
  startSweepApp,
} from '../support/every-operation';

/**
 * Every query, mutation and subscription in the live schema (read by introspection), called by a
 * member of each role. The expected answer comes from the specification in
 * test/support/every-operation.ts, not from the resolvers' decorators, so a decorator that grants
 * too much or too little fails here; an operation the specification doesn't know fails too.
 */
let api: TestApp;
let fx: Fixture;

before(async () => {
  api = await startSweepApp();
  fx = await seedWorkspace(api);
});
after(() => api.close());

describe('every operation as each role', () => {
  test('OWNER, ADMIN, EDITOR and VIEWER are allowed exactly what the table says', { timeout: 300_000 }, async () => {
    const operations = await schemaOperations(api.url, fx.owner.token);
    const unclassified = operations.filter((o) => !OPERATIONS[o.name]).map((o) => o.name);
    assert.deepEqual(unclassified, [], `operations nobody classified: ${unclassified.join(', ')}`);
    let allowed = 0;
    let denied = 0;
    for (const role of ROLES) {
      const caller = fx.members[role];
      for (const operation of operations) {
        const spec = OPERATIONS[operation.name];
        const variables = await spec.variables({ api, fx, caller, target: 'brand2' });
        const result = await run(api.url, operation, operationText(operation), variables, caller.token);
        const code = result.errors?.[0]?.extensions?.code;
        if (allowedFor(spec, role)) {
          const fine = code === undefined || (spec.allowedErrors ?? []).includes(code);
          assert.ok(fine, `${role} may ${operation.name}, but got ${JSON.stringify(result.errors)}`);
          allowed += 1;
        } else {
          assert.equal(code, 'FORBIDDEN', `${role} may not ${operation.name}, but got ${JSON.stringify(result)}`);
          denied += 1;
        }
      }
    }
    assert.ok(allowed > 0 && denied > 0, `allowed ${allowed}, denied ${denied}`);
  });
});
