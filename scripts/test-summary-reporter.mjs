// node:test reporter that counts leaf tests and writes one JSON line for scripts/test.mjs.
export default async function* summary(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const failures = [];
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { data } = event;
    if (data.details?.type === 'suite') continue;
    if (data.skip || data.todo) skipped += 1;
    else if (event.type === 'test:pass') passed += 1;
    else {
      failed += 1;
      failures.push(`${data.file ?? ''} › ${data.name}`);
    }
  }
  yield JSON.stringify({ passed, failed, skipped, failures }) + '\n';
}
