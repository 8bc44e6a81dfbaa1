import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  SetMetadata,
  UseInterceptors,
  applyDecorators,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { type Observable, tap } from 'rxjs';
import { BadUserInputError } from '../errors/app-error';
import type { AuthenticatedRequest, GraphqlContext } from '../graphql/graphql-context';
import { RateLimiter } from './rate-limiter';

const AUTH_ATTEMPT_KEY = 'brandwright:auth-attempt';
const PLAN_LIMITED_KEY = 'brandwright:plan-limited';

/** The per-address budget an authentication mutation spends (budgets.ts). */
export type AuthAttemptBudget = 'logInFailures' | 'signUps' | 'credentialFailures';

/**
 * An authentication mutation (signUp, logIn, refreshSession): allowed once per request, whatever
 * the aliases, and spending the client address's own tighter budget. For `logInFailures` and
 * `credentialFailures` a successful attempt gets its point back, so only failures count.
 */
export const AuthAttempt = (budget: AuthAttemptBudget) =>
  applyDecorators(SetMetadata(AUTH_ATTEMPT_KEY, budget), UseInterceptors(AuthAttemptInterceptor));

/** A generation call: it also spends the plan's `rateLimitPerMinute`, per workspace and per API key. */
export const PlanLimited = () => SetMetadata(PLAN_LIMITED_KEY, true);

interface Bookkeeping {
  /** The request's one query-sized call was counted. */
  rateChecked?: boolean;
  /** Authentication mutations already run in this request. */
  attempts?: Set<string>;
  /** Root mutation fields admitted so far in this request. */
  mutationFields?: number;
}

/**
 * The access guard's rate-limit step, after authentication. A query (or a REST call) is one call
 * however many root fields it has; each root mutation field is one call of its own, so aliases
 * cannot multiply mutations past the limits.
 */
export async function admitCall(
  context: ExecutionContext,
  req: AuthenticatedRequest,
  limiter: RateLimiter,
  reflector: Reflector,
): Promise<void> {
  const state = req as AuthenticatedRequest & Bookkeeping;
  const mutation = rootMutationField(context);
  const authenticated = Boolean(req.actor);
  if (!mutation) {
    if (state.rateChecked) return;
    state.rateChecked = true;
    return limiter.admitCall(req, req.actor, req.ip, { authenticated, write: false }, false);
  }
  const attempt = reflector.get<AuthAttemptBudget | undefined>(AUTH_ATTEMPT_KEY, context.getHandler());
  if (attempt) {
    state.attempts ??= new Set();
    if (state.attempts.has(mutation)) throw new BadUserInputError(mutation, 'may be called once per request');
    state.attempts.add(mutation);
    await limiter.attempt(req, attempt, req.ip);
  }
  const planLimited = reflector.get<boolean | undefined>(PLAN_LIMITED_KEY, context.getHandler()) ?? false;
  state.mutationFields = (state.mutationFields ?? 0) + 1;
  // The edge already counted an anonymous request once; its second and later fields count again.
  if (authenticated || state.mutationFields > 1) {
    await limiter.admitCall(req, req.actor, req.ip, { authenticated, write: true }, planLimited);
  }
}

/** The field name when this resolver is a root field of a mutation. */
function rootMutationField(context: ExecutionContext): string | undefined {
  if (context.getType<string>() !== 'graphql') return undefined;
  const info = GqlExecutionContext.create(context).getInfo<GraphQLResolveInfo>();
  return info.operation.operation === 'mutation' && info.path.prev === undefined ? info.fieldName : undefined;
}

/** Gives a failures-only budget its point back when the attempt succeeds. */
@Injectable()
export class AuthAttemptInterceptor implements NestInterceptor {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const budget = this.reflector.get<AuthAttemptBudget | undefined>(AUTH_ATTEMPT_KEY, context.getHandler());
    const req = GqlExecutionContext.create(context).getContext<GraphqlContext>().req;
    return next.handle().pipe(
      tap({
        next: () => {
          if (budget === 'logInFailures' || budget === 'credentialFailures') void this.limiter.succeeded(budget, req.ip);
        },
      }),
    );
  }
}
