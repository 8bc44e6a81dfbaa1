/**
 * `npm run schema`: writes apps/api/schema.graphql from the resolvers (no database needed); the
 * npm script then regenerates the typed client (clients/node/scripts/generate.ts) from it.
 * `npm run schema -- --check`: exits 1 when the committed file differs from what the code builds.
 * The breaking-change check against the last committed schema is test/api/schema-contract.test.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { SCHEMA_FILE, buildSchemaSdl } from './schema-sdl';

async function main(): Promise<void> {
  const sdl = await buildSchemaSdl();
  if (process.argv.includes('--check')) {
    if (readFileSync(SCHEMA_FILE, 'utf8') !== sdl) {
      console.error(`${SCHEMA_FILE} is not what the resolvers build; run \`npm run schema\` and commit it.`);
      process.exit(1);
    }
    console.log(`${SCHEMA_FILE} is current.`);
    return;
  }
  writeFileSync(SCHEMA_FILE, sdl);
  console.log(`wrote ${SCHEMA_FILE}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
