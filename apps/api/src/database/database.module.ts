import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/config';
import { entities } from './entities';
import { TenantDb } from './tenant-db';

/**
 * The api and worker connect as DATABASE_APP_ROLE (`-c role=` at session start): a role that owns
 * no table, so row-level security applies to every query they make. Migrations run separately,
 * as the owner. Schema sync is never used.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        type: 'postgres' as const,
        url: config.values.DATABASE_URL,
        entities,
        synchronize: false,
        migrationsRun: false,
        logging: false,
        extra: {
          max: config.values.DATABASE_POOL_SIZE,
          options: `-c role=${config.values.DATABASE_APP_ROLE}`,
          application_name: 'brandwright',
        },
      }),
    }),
  ],
  providers: [TenantDb],
  exports: [TenantDb],
})
export class DatabaseModule {}
