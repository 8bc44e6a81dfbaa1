import { type DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import type { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { LoggerModule } from './common/logging/logger.module';
import { CommonModule } from './common/common.module';
import { RedisModule } from './common/redis/redis.module';
import { GraphqlModule } from './common/graphql/graphql.module';
import { DatabaseModule } from './database/database.module';
import { AuthModule } from './auth/auth.module';
import { UsersModule } from './users/users.module';
import { WorkspacesModule } from './workspaces/workspaces.module';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { BrandsModule } from './brands/brands.module';
import { CampaignsModule } from './campaigns/campaigns.module';
import { HealthModule } from './health/health.module';
import { GenerationModule } from './generation/generation.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { BillingModule } from './billing/billing.module';
import { UsageModule } from './usage/usage.module';
import { MetricsModule } from './metrics/metrics.module';
import { AuditModule } from './audit/audit.module';

/** Modules shared by the api and the worker: configuration, logging, metrics, database, Redis. */
export function coreModules(config: AppConfig, logger: Logger): DynamicModule[] {
  return [ConfigModule.forRoot(config), LoggerModule.forRoot(logger), { module: MetricsModule }];
}

/** The HTTP application. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ...coreModules(config, logger),
        DatabaseModule,
        RedisModule,
        CommonModule,
        AuditModule,
        GraphqlModule,
        AuthModule,
        UsersModule,
        WorkspacesModule,
        ApiKeysModule,
        BrandsModule,
        CampaignsModule,
        HealthModule,
        GenerationModule,
        WebhooksModule,
        BillingModule,
        UsageModule,
      ],
    };
  }
}
