// StrykerJS mutation testing (`npm run mutate [-- <target>...]`, not in CI: it runs the tests of a
// target once per mutant). Targets below; scripts/mutate.mjs prepares the database the tests
// need and picks them (MUTATE_TARGETS). Scores and the survivors we keep: docs/testing.md.
export const TARGETS = {
  'job-runner': {
    mutate: ['apps/api/src/generation/job-runner.ts', 'apps/api/src/generation/job-failure.ts'],
    tests: [
      'apps/api/src/generation/job-failure.spec.ts',
      'test/jobs/exactly-once.test.ts',
      'test/jobs/permanent-errors.test.ts',
      'test/jobs/fairness.test.ts',
    ],
  },
  'fair-scheduler': { mutate: ['apps/api/src/generation/fair-scheduler.ts'], tests: ['test/jobs/fairness.test.ts'] },
  ledger: {
    mutate: ['libs/billing/src/metering/ledger.ts'],
    tests: [
      'libs/billing/src/metering/ledger.spec.ts',
      'libs/billing/src/stripe/stripe-webhook-handler.spec.ts',
      'libs/billing/src/stripe/usage-reporter.spec.ts',
    ],
  },
  'output-text': {
    mutate: ['libs/generation/src/text/output-text.ts', 'libs/generation/src/text/sampler.ts'],
    tests: ['libs/generation/src/text/batch-scheduler.spec.ts', 'libs/generation/src/text/text-engine.spec.ts'],
  },
  'webhook-target': {
    mutate: ['apps/api/src/webhooks/webhook-target.ts'],
    tests: ['apps/api/src/webhooks/webhook-target.spec.ts', 'test/api/webhook-ssrf.test.ts'],
  },
  tenant: {
    mutate: ['apps/api/src/database/tenant-db.ts', 'apps/api/src/common/tenant/*.ts'],
    tests: ['test/api/tenancy.test.ts', 'test/api/brand-limits.test.ts'],
  },
};

const chosen = (process.env.MUTATE_TARGETS || Object.keys(TARGETS).join(','))
  .split(',')
  .filter(Boolean)
  .map((name) => {
    if (!TARGETS[name]) throw new Error(`unknown mutate target "${name}"; choose from ${Object.keys(TARGETS).join(', ')}`);
    return TARGETS[name];
  });

export default {
  testRunner: 'tap',
  plugins: ['@stryker-mutator/tap-runner'],
  mutate: chosen.flatMap((t) => t.mutate),
  tap: {
    testFiles: [...new Set(chosen.flatMap((t) => t.tests))],
    nodeArgs: ['--test-reporter=tap', '-r', '@swc-node/register', '-r', '{{hookFile}}', '{{testFile}}'],
    forceBail: true,
  },
  // Each test file is one "test" to the TAP runner; per-test coverage runs only the files that reach a mutant.
  coverageAnalysis: 'perTest',
  // Two shared cores: one mutant at a time, with room for tests that boot the api and workers.
  concurrency: 1,
  timeoutMS: 120_000,
  timeoutFactor: 2,
  // The sandbox holds what the tests read; everything else stays out of the copy.
  ignorePatterns: [
    'apps/dashboard',
    'docs',
    'docker',
    'bench',
    '.data',
    '.nx',
    'test/browser',
    'test/.artifacts',
    'reports',
    'tmp',
    'coverage',
  ],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
