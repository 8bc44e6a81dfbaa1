import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ACCESS_KEY } from './decorators';

const RESOLVER_TYPE = 'graphql:resolver_type';
const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

/**
 * Refuses to start when a Query, Mutation or Subscription declares no access policy, so no
 * operation is ever open because someone forgot a decorator.
 */
@Injectable()
export class AccessPolicyCheck implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    const missing: string[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const proto = Object.getPrototypeOf(instance) as Record<string, (...a: unknown[]) => unknown>;
      for (const method of this.scanner.getAllMethodNames(proto)) {
        const handler = proto[method];
        const type = Reflect.getMetadata(RESOLVER_TYPE, handler) as string | undefined;
        if (!type || !ROOT_TYPES.has(type)) continue;
        const policy = this.reflector.getAllAndOverride<unknown>(ACCESS_KEY, [handler, instance.constructor as () => unknown]);
        if (!policy) missing.push(`${(instance.constructor as { name: string }).name}.${method}`);
      }
    }
    if (missing.length) {
      throw new Error(`These operations declare no access policy (@Public, @SignedIn or @Access): ${missing.join(', ')}`);
    }
  }
}
