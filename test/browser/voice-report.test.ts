import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startApp, type TestApp } from '../support/app';
import { ok, signUp } from '../support/graphql';
import { buildDashboard } from './support/dashboard-build';
import { LAPTOP, asPerson } from './support/browser';

/**
 * The voice report in the copy studio: checks in the product's words (never rule ids), what the
 * engine did, a failing variant marked as failing, and approving it asks for a reason. The
 * variants are written as the table owner (no worker runs here); the engine's side is
 * libs/generation's hard-rules.spec.ts.
 */
describe('voice report in a browser', () => {
  const PUBLIC_URL = 'http://brandwright.test:3000';
  const pageErrors: string[] = [];
  let app: TestApp;
  let build: { dir: string; remove(): void };
  let person: Awaited<ReturnType<typeof signUp>>;
  let campaignId = '';

  const report = (passed: boolean) => ({
    score: passed ? 92 : 60,
    characters: 24,
    maxChars: 40,
    readingGrade: 3.1,
    bannedTermsFound: [],
    requiredTermsMissing: passed ? [] : ['Ridgeline'],
    examplesDropped: [],
    voiceLinesShortened: [],
    hardRulesPassed: passed,
    checks: [
      {
        rule: 'required_terms',
        hard: true,
        passed,
        label: passed ? 'Includes Ridgeline' : 'Missing required term: Ridgeline',
        detail: passed ? 'all present' : 'missing Ridgeline',
      },
      { rule: 'exclamation', hard: true, passed: true, label: 'No exclamation marks', detail: 'none' },
    ],
    actions: [{ rule: 'exclamation', label: 'Blocked 7 tokens that would add an exclamation mark' }],
  });

  before(async () => {
    build = buildDashboard();
    app = await startApp({ DASHBOARD_DIR: build.dir, PUBLIC_URL });
    person = await signUp(app.url, 'Voice');
    const brand = await ok(
      app.url,
      `mutation { createBrand(input: { name: "Ridgeline", palette: ["#112233"] }) { id } }`,
      {},
      person.token,
    );
    const campaign = await ok(
      app.url,
      `mutation($b: ID!) { createCampaign(input: { brandId: $b, name: "Cold brew", objective: SALES, channels: [META_HEADLINE] }) { id } }`,
      { b: brand.createBrand.id },
      person.token,
    );
    campaignId = campaign.createCampaign.id;
    const job = await ok(
      app.url,
      `mutation($b: ID!, $c: ID!) { generateCopy(input: { brandId: $b, campaignId: $c, channel: META_HEADLINE, brief: "Launch", variants: 2 }) { id } }`,
      { b: brand.createBrand.id, c: campaignId },
      person.token,
    );
    const client = new pg.Client({ connectionString: app.database.url });
    await client.connect();
    try {
      for (const [rank, passes, text] of [
        [0, true, 'Ridgeline cold brew is here'],
        [1, false, 'Cold brew is here at last'],
      ] as const) {
        await client.query(
          `INSERT INTO copy_variants (workspace_id, job_id, brand_id, campaign_id, channel, rank, text, seed, voice_report, voice_score, passes_hard_rules)
           VALUES ($1, $2, $3, $4, 'META_HEADLINE', $5, $6, 1, $7, 60, $8)`,
          [person.workspaceId, job.generateCopy.id, brand.createBrand.id, campaignId, rank, text, JSON.stringify(report(passes)), passes],
        );
      }
    } finally {
      await client.end();
    }
  });

  after(async () => {
    await app?.close();
    build?.remove();
  });

  test('labels in product words, engine actions, a failing variant approved only with a reason', async () => {
    await asPerson('voice-report', { publicUrl: PUBLIC_URL, serverUrl: app.url }, LAPTOP, pageErrors, async (page) => {
      await page.goto('/login');
      await page.getByLabel('Email').fill(person.email);
      await page.getByLabel('Password').fill(person.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('heading', { name: 'Brands', level: 1 }).waitFor();
      await page.goto(`/campaigns/${campaignId}`);

      const failing = page.getByRole('listitem', { name: /variant: Cold brew is here at last/ });
      const passing = page.getByRole('listitem', { name: /variant: Ridgeline cold brew is here/ });
      await failing.waitFor();
      await failing.getByText('Missing required term: Ridgeline').waitFor();
      await failing.getByText('Fails the brand’s rules').waitFor();
      assert.equal(await passing.getByText('Fails the brand’s rules').count(), 0);
      // Never a rule id on the page.
      const body = (await page.locator('main').textContent()) ?? '';
      for (const id of ['required_terms', 'not_empty', 'banned_terms', 'reading_grade', 'sentence_length'])
        assert.ok(!body.includes(id), `the page shows the rule id ${id}`);
      await failing.getByText('What the engine did').click();
      await failing.getByText('Blocked 7 tokens that would add an exclamation mark').waitFor();

      // Approve asks for a reason first; the variant stays a draft until one is given.
      await failing.getByRole('button', { name: 'Approve' }).click();
      const reason = failing.getByLabel('Why approve it anyway?');
      await reason.waitFor();
      assert.equal(await failing.getByRole('button', { name: 'Approve with this reason' }).isDisabled(), true);
      await reason.fill('Legal approved the wording');
      await failing.getByRole('button', { name: 'Approve with this reason' }).click();
      await page.getByRole('listitem', { name: /^Approved variant: Cold brew is here at last/ }).waitFor();
      await page.getByText('Approved anyway: Legal approved the wording').waitFor();

      // A passing variant is approved at once.
      await passing.getByRole('button', { name: 'Approve' }).click();
      await page.getByRole('listitem', { name: /^Approved variant: Ridgeline cold brew is here/ }).waitFor();
    });
    assert.deepEqual(pageErrors, []);
  });
});
