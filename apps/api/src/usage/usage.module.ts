import { Module } from '@nestjs/common';
import { UsageResolver } from './usage.resolver';

/** GraphQL `usage`: the ledger by meter and by day. */
@Module({ providers: [UsageResolver] })
export class UsageModule {}
