import 'reflect-metadata';
import { join } from 'node:path';
import { DataSource } from 'typeorm';

/**
 * The migration connection: it runs as the database owner (DATABASE_URL's user), never as the
 * application role, so the tables belong to a role that row-level security still applies to for
 * the app. Migrations are loaded from this folder by their timestamped file names.
 */
export function migrationDataSource(url = process.env.DATABASE_URL): DataSource {
  if (!url) throw new Error('DATABASE_URL is not set: it names the database to migrate.');
  return new DataSource({
    type: 'postgres',
    url,
    migrations: [join(__dirname, '[0-9]*-*.{ts,js}')],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    logging: ['error'],
  });
}
