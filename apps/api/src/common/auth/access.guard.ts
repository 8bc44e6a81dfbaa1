import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import passport from 'passport';
import { ApiKeyScope, type Actor, Role, roleAtLeast } from './actor';
import { ACCESS_KEY, type AccessPolicy, BRAND_SCOPED_KEY } from './decorators';
import { isBrandLimited } from '../tenant/brand-limit';
import { ForbiddenError, UnauthenticatedError } from '../errors/app-error';
import type { AuthenticatedRequest, GraphqlContext } from '../graphql/graphql-context';
import { RateLimiter } from '../rate-limit/rate-limiter';
import { admitCall } from '../rate-limit/call-admission';

/**
 * The global guard. It authenticates with Passport (API key, then JWT), applies the rate limits,
 * and checks the operation's access policy: `@Public()`, `@SignedIn()` or `@Access(role, scope)`.
 * An API key limited to some brands passes only operations marked `@BrandScoped()`.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly rateLimiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = this.reflector.getAllAndOverride<AccessPolicy | undefined>(ACCESS_KEY, [context.getHandler(), context.getClass()]);
    if (!policy) throw new ForbiddenError('This operation declares no access policy.');
    const req = requestOf(context);
    if (!req) return policy.kind === 'public'; // a subscription without an HTTP request is checked at connect

    if (req.actor === undefined && req.headers.authorization) {
      req.actor = await this.rateLimiter.checkingCredentials(req, req.ip, () => authenticate(req));
    }
    // A query counts once per request; each root mutation field counts as one call.
    await admitCall(context, req, this.rateLimiter, this.reflector);
    if (policy.kind === 'public') return true;
    const actor = req.actor;
    if (!actor) throw new UnauthenticatedError();
    if (policy.kind === 'user') {
      if (actor.kind !== 'user') throw new ForbiddenError('API keys cannot do this; sign in as a person.');
      return true;
    }
    assertAllowed(actor, policy.role, policy.scope);
    if (isBrandLimited(actor) && !this.reflector.getAllAndOverride<boolean>(BRAND_SCOPED_KEY, [context.getHandler(), context.getClass()])) {
      throw new ForbiddenError(
        `${operationName(context)} acts on the whole workspace, and this API key is limited to some brands; ` +
          'members, invitations, API keys, webhooks, billing, usage and the workspace itself need a key without a brand limit.',
      );
    }
    return true;
  }
}

function operationName(context: ExecutionContext): string {
  if (context.getType<string>() === 'graphql') {
    const info = GqlExecutionContext.create(context).getInfo<{ fieldName: string; parentType: { name: string } }>();
    const root = ['Query', 'Mutation', 'Subscription'].includes(info.parentType.name);
    return root ? `"${info.fieldName}"` : `"${info.parentType.name}.${info.fieldName}"`;
  }
  const req = context.switchToHttp().getRequest<{ method: string; url: string }>();
  return `${req.method} ${req.url.split('?')[0]}`;
}

export function assertAllowed(actor: Actor, role: Role, scope: ApiKeyScope): void {
  if (!actor.workspaceId) throw new ForbiddenError('You are not a member of a workspace; create one or accept an invitation.');
  if (actor.kind === 'apiKey') {
    if (!actor.scopes.includes(scope)) throw new ForbiddenError(`This API key lacks the "${scope}" scope.`);
    return;
  }
  if (!actor.role || !roleAtLeast(actor.role, role))
    throw new ForbiddenError(`This needs the ${role} role or higher; you are ${actor.role}.`);
}

function requestOf(context: ExecutionContext): AuthenticatedRequest | undefined {
  if (context.getType<string>() === 'graphql') {
    return GqlExecutionContext.create(context).getContext<GraphqlContext>().req;
  }
  return context.switchToHttp().getRequest<AuthenticatedRequest>();
}

/** Runs the Passport strategies in order; the first that recognises the credential decides. */
export function authenticate(req: AuthenticatedRequest): Promise<Actor> {
  return new Promise((resolve, reject) => {
    passport.authenticate(['api-key', 'jwt'], { session: false }, (err: unknown, actor: Actor | false) => {
      if (err) return reject(err);
      if (!actor) return reject(new UnauthenticatedError('The Authorization header holds neither an access token nor an API key.'));
      resolve(actor);
    })(req, {}, () => undefined);
  });
}
