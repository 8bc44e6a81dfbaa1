import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Actor, ApiKeyScope, Role } from './actor';

export const ACCESS_KEY = 'brandwright:access';
export const BRAND_SCOPED_KEY = 'brandwright:brand-scoped';

/**
 * How an operation may be reached. Every resolver method declares one of these; the app refuses
 * to start when one doesn't (see access-policy.check.ts), so nothing is open by omission.
 */
export type AccessPolicy =
  | { kind: 'public' }
  /** A signed-in person, whatever workspace they are in (me, my workspaces, accept an invitation). */
  | { kind: 'user' }
  /** A member with at least `role`, or an API key holding `scope`. */
  | { kind: 'workspace'; role: Role; scope: ApiKeyScope };

/** No authentication (sign up, log in, refresh). */
export const Public = () => SetMetadata(ACCESS_KEY, { kind: 'public' } satisfies AccessPolicy);

/** A signed-in user; API keys are refused. */
export const SignedIn = () => SetMetadata(ACCESS_KEY, { kind: 'user' } satisfies AccessPolicy);

/** Members of the current workspace with at least `role`; API keys with `scope`. */
export const Access = (role: Role, scope: ApiKeyScope) =>
  SetMetadata(ACCESS_KEY, { kind: 'workspace', role, scope } satisfies AccessPolicy);

/**
 * The operation works within brands (a brand, its campaigns, jobs and results), so an API key
 * limited to some brands may call it; row-level security keeps it to those brands. Every other
 * workspace operation (members, invitations, keys, webhooks, billing, usage, the workspace
 * itself, creating or deleting brands) refuses such a key in the access guard.
 */
export const BrandScoped = () => SetMetadata(BRAND_SCOPED_KEY, true);

/** The calling actor, as the guard established it. */
export const CurrentActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): Actor => {
  const gql = GqlExecutionContext.create(ctx).getContext<{ req: { actor?: Actor } }>();
  const actor = gql.req?.actor;
  if (!actor) throw new Error('CurrentActor used on an operation without authentication');
  return actor;
});

/** The calling actor on a REST route. */
export const CurrentHttpActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): Actor => {
  const actor = ctx.switchToHttp().getRequest<{ actor?: Actor }>().actor;
  if (!actor) throw new Error('CurrentHttpActor used on a route without authentication');
  return actor;
});
