import { Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, DiscoveryModule } from '@nestjs/core';
import { AppErrorFilter } from './errors/graphql-exception.filter';
import { AccessGuard } from './auth/access.guard';
import { AccessPolicyCheck } from './auth/access-policy.check';
import { RateLimiter } from './rate-limit/rate-limiter';
import { RequestContextInterceptor } from './tenant/request-context.interceptor';

@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [
    RateLimiter,
    AccessPolicyCheck,
    { provide: APP_GUARD, useClass: AccessGuard },
    { provide: APP_INTERCEPTOR, useClass: RequestContextInterceptor },
    { provide: APP_FILTER, useClass: AppErrorFilter },
  ],
  exports: [RateLimiter],
})
export class CommonModule {}
