import { migrationDataSource } from './data-source';

/** `npm run migrate` (run), or `node -r @swc-node/register migrations/cli.ts run|revert|show`. */
async function main(command = 'run'): Promise<void> {
  const dataSource = await migrationDataSource().initialize();
  try {
    if (command === 'run') {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      console.log(applied.length ? `applied ${applied.map((m) => m.name).join(', ')}` : 'database is up to date');
    } else if (command === 'revert') {
      await dataSource.undoLastMigration({ transaction: 'each' });
      console.log('reverted the last migration');
    } else if (command === 'show') {
      const pending = await dataSource.showMigrations();
      console.log(pending ? 'there are pending migrations' : 'database is up to date');
    } else {
      throw new Error(`unknown command "${command}" (run | revert | show)`);
    }
  } finally {
    await dataSource.destroy();
  }
}

main(process.argv[2]).catch((err: Error) => {
  console.error(`migration failed: ${err.message}`);
  process.exit(1);
});
