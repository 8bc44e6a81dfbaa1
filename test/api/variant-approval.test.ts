import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { startApp, type TestApp } from '../support/app';
import { fails, ok, signUp } from '../support/graphql';

/**
 * A variant that breaks a hard rule of the brand's voice is stored as failing; approving it asks
 * for a reason, which is kept. A passing variant is approved without one. Variants are written as
 * the table owner (no worker runs in this file); the engine's side is libs/generation's
 * hard-rules.spec.ts.
 */
let api: TestApp;
let owner: Awaited<ReturnType<typeof signUp>>;
let failingId: string;
let passingId: string;
let jobId: string;

const REPORT = (passed: boolean) =>
  JSON.stringify({
    score: passed ? 95 : 60,
    hardRulesPassed: passed,
    checks: [
      {
        rule: 'required_terms',
        hard: true,
        passed,
        label: passed ? 'Includes Ridgeline' : 'Missing required term: Ridgeline',
        detail: passed ? 'all present' : 'missing Ridgeline',
      },
    ],
  });

const APPROVE = `mutation($id: ID!, $reason: String) { approveVariant(id: $id, reason: $reason) { id status passesHardRules approvalReason voiceReport { hardRulesPassed checks { rule hard passed label } } } }`;

before(async () => {
  api = await startApp();
  owner = await signUp(api.url, 'Approver');
  const brand = await ok(api.url, `mutation { createBrand(input: { name: "Ridgeline", palette: ["#112233"] }) { id } }`, {}, owner.token);
  const job = await ok(
    api.url,
    `mutation($b: ID!) { generateCopy(input: { brandId: $b, channel: META_HEADLINE, brief: "Launch", variants: 2 }) { id } }`,
    { b: brand.createBrand.id },
    owner.token,
  );
  jobId = job.generateCopy.id;
  const client = new pg.Client({ connectionString: api.database.url });
  await client.connect();
  try {
    const insert = async (rank: number, passes: boolean) =>
      (
        await client.query(
          `INSERT INTO copy_variants (workspace_id, job_id, brand_id, channel, rank, text, seed, voice_report, voice_score, passes_hard_rules)
           VALUES ($1, $2, $3, 'META_HEADLINE', $4, 'Fresh coffee', 1, $5, 60, $6) RETURNING id`,
          [owner.workspaceId, job.generateCopy.id, brand.createBrand.id, rank, REPORT(passes), passes],
        )
      ).rows[0].id as string;
    failingId = await insert(0, false);
    passingId = await insert(1, true);
  } finally {
    await client.end();
  }
});
after(() => api?.close());

test('approving a failing variant without a reason is refused, naming the broken rule in product words', async () => {
  const error = await fails('BAD_USER_INPUT', api.url, APPROVE, { id: failingId }, owner.token);
  assert.equal(error.extensions?.field, 'reason');
  assert.match(error.message, /Missing required term: Ridgeline/);
  assert.doesNotMatch(error.message, /required_terms/);
  const blank = await fails('BAD_USER_INPUT', api.url, APPROVE, { id: failingId, reason: '   ' }, owner.token);
  assert.equal(blank.extensions?.field, 'reason');
  const job = await ok(api.url, `query($id: ID!) { job(id: $id) { variants { id status } } }`, { id: jobId }, owner.token);
  const variant = job.job.variants.find((v: { id: string }) => v.id === failingId);
  assert.equal(variant.status, 'DRAFT', 'a refused approval left the variant as it was');
});

test('with a reason it is approved and the reason is kept; a passing variant needs none', async () => {
  const approved = await ok(api.url, APPROVE, { id: failingId, reason: 'Legal signed off the wording' }, owner.token);
  assert.equal(approved.approveVariant.status, 'APPROVED');
  assert.equal(approved.approveVariant.passesHardRules, false);
  assert.equal(approved.approveVariant.approvalReason, 'Legal signed off the wording');
  assert.equal(approved.approveVariant.voiceReport.hardRulesPassed, false);
  assert.equal(approved.approveVariant.voiceReport.checks[0].label, 'Missing required term: Ridgeline');

  const passing = await ok(api.url, APPROVE, { id: passingId }, owner.token);
  assert.equal(passing.approveVariant.status, 'APPROVED');
  assert.equal(passing.approveVariant.passesHardRules, true);
  assert.equal(passing.approveVariant.approvalReason, null);

  const tooLong = await fails('BAD_USER_INPUT', api.url, APPROVE, { id: failingId, reason: 'x'.repeat(1001) }, owner.token);
  assert.equal(tooLong.extensions?.field, 'reason');
});
