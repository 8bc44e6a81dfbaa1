import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { PLANS, type PlanId } from '@brandwright/billing';
import { AppConfig } from '../../config/config';
import { TenantDb } from '../../database/tenant-db';
import { Metrics } from '../../metrics/metrics.service';
import { LOGGER } from '../logging/logger.module';
import { REDIS } from '../redis/redis.module';
import { AppError, ErrorCode, RateLimitedError } from '../errors/app-error';
import type { Actor } from '../auth/actor';
import { type BudgetName, type BudgetSpec, budgetSpecs } from './budgets';

/** What the RateLimit-* headers of a response report: the tightest budget the request touched. */
export interface RateLimitState {
  limit: number;
  remaining: number;
  resetSeconds: number;
  windowSeconds: number;
  /** Set when a budget refused the request: seconds until it admits one again. */
  retryAfterSeconds?: number;
}

/** What a request is, for the choice a Redis outage forces: fail open (locally) or closed. */
export interface CallKind {
  authenticated: boolean;
  write: boolean;
}

/** A request object the limiter can keep its per-request bookkeeping on. */
export type LimitedRequest = object & { rateLimit?: RateLimitState };

const PLAN_CACHE_MS = 30_000;
const DEGRADED_LOG_EVERY_MS = 30_000;

/**
 * The api's rate limits, on rate-limiter-flexible's Redis limiters so every replica shares the
 * counts. Budgets (budgets.ts): every request per client address, before authentication;
 * anonymous requests per address; login failures, sign-ups and credential failures per address;
 * calls per API key and per workspace; generation calls per workspace and per key from the plan.
 *
 * When Redis is unreachable the limits degrade instead of taking the api down: anonymous writes
 * are refused (UNAVAILABLE, 503), everything else is admitted within a local in-process budget
 * per key. A warning is logged and brandwright_rate_limit_degraded_total counts each decision.
 */
@Injectable()
export class RateLimiter {
  private readonly specs: Record<BudgetName, BudgetSpec>;
  private readonly shared = new Map<string, RateLimiterRedis>();
  private readonly local = new Map<string, RateLimiterMemory>();
  private readonly plans = new Map<string, { plan: PlanId; at: number }>();
  private lastDegradedLog = 0;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
    private readonly db: TenantDb,
    private readonly metrics: Metrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.specs = budgetSpecs(config.values);
  }

  /** Every request, before authentication: the client address's budgets. */
  async admitAddress(req: LimitedRequest, address: string, presentsCredentials: boolean): Promise<void> {
    const kind = { authenticated: presentsCredentials, write: false };
    await this.consume(req, 'address', address, 1, kind);
    if (!presentsCredentials) await this.consume(req, 'anonymous', address, 1, kind);
    // An address that keeps sending bad keys or tokens is refused before they are checked again.
    else await this.assertNotExhausted(req, 'credentialFailures', address, kind);
  }

  /**
   * One call by an authenticated actor (a query, or one root mutation field): the key's and the
   * workspace's budgets, plus the plan's generation budget when `generation` is set.
   */
  async admitCall(req: LimitedRequest, actor: Actor | undefined, address: string, kind: CallKind, generation: boolean): Promise<void> {
    if (!actor) {
      // Anonymous mutations (sign-up, log-in…) also spend the anonymous budget, one per field.
      if (kind.write) await this.consume(req, 'anonymous', address, 1, kind);
      return;
    }
    if (actor.kind === 'apiKey') await this.consume(req, 'apiKey', actor.apiKeyId, 1, kind);
    if (actor.workspaceId) await this.consume(req, 'workspace', actor.workspaceId, 1, kind);
    if (generation && actor.workspaceId) {
      const plan = await this.planOf(actor.workspaceId);
      await this.consume(req, `planWorkspace:${plan}`, actor.workspaceId, 1, kind);
      if (actor.kind === 'apiKey') await this.consume(req, `planKey:${plan}`, actor.apiKeyId, 1, kind);
    }
  }

  /** A log-in, sign-up or refresh attempt from `address`: spends one from that budget. */
  attempt(req: LimitedRequest, budget: 'logInFailures' | 'signUps' | 'credentialFailures', address: string): Promise<void> {
    return this.consume(req, budget, address, 1, { authenticated: false, write: true });
  }

  /** The attempt succeeded: a failures-only budget gets its point back. */
  async succeeded(budget: 'logInFailures' | 'credentialFailures', address: string): Promise<void> {
    await this.limiter(budget)
      .reward(address, 1)
      .catch(() => undefined);
  }

  /** Runs a credential check; a refused key or token spends one from the address's failure budget. */
  async checkingCredentials<T>(req: LimitedRequest, address: string, check: () => Promise<T>): Promise<T> {
    const seen = req as LimitedRequest & { credentialError?: unknown };
    // Each root field's guard asks again; one request's bad credential is checked and counted once.
    if (seen.credentialError) throw seen.credentialError;
    try {
      return await check();
    } catch (err) {
      if (err instanceof AppError && err.code === ErrorCode.UNAUTHENTICATED) {
        seen.credentialError = err;
        await this.consume(req, 'credentialFailures', address, 1, { authenticated: false, write: false }).catch(() => undefined);
      }
      throw err;
    }
  }

  /** The workspace's plan, cached briefly (plans change rarely; a stale minute is harmless). */
  private async planOf(workspaceId: string): Promise<PlanId> {
    const cached = this.plans.get(workspaceId);
    if (cached && Date.now() - cached.at < PLAN_CACHE_MS) return cached.plan;
    const rows = await this.db.readOnce<{ plan: PlanId }>(
      { workspaceId },
      `SELECT plan FROM billing_accounts WHERE workspace_id = '${workspaceId}'`,
    );
    const plan = rows[0]?.plan && rows[0].plan in PLANS ? rows[0].plan : ('FREE' as PlanId);
    this.plans.set(workspaceId, { plan, at: Date.now() });
    return plan;
  }

  private async consume(req: LimitedRequest, budget: BudgetName, key: string, points: number, kind: CallKind): Promise<void> {
    const spec = this.specs[budget];
    let result: RateLimiterRes;
    try {
      result = await this.limiter(budget).consume(key, points);
    } catch (err) {
      if (err instanceof RateLimiterRes) return this.refuse(req, budget, spec, err);
      result = await this.consumeLocally(req, budget, spec, key, points, kind, err as Error);
    }
    record(req, spec, result);
  }

  private async assertNotExhausted(req: LimitedRequest, budget: BudgetName, key: string, kind: CallKind): Promise<void> {
    const spec = this.specs[budget];
    let result: RateLimiterRes | null;
    try {
      result = await this.limiter(budget).get(key);
    } catch (err) {
      this.degraded(err as Error, kind, 'allowed');
      return;
    }
    if (result && result.remainingPoints <= 0 && result.consumedPoints >= spec.points) this.refuse(req, budget, spec, result);
  }

  /** Redis is unreachable: anonymous writes fail closed, the rest spend a local in-process budget. */
  private async consumeLocally(
    req: LimitedRequest,
    budget: BudgetName,
    spec: BudgetSpec,
    key: string,
    points: number,
    kind: CallKind,
    cause: Error,
  ): Promise<RateLimiterRes> {
    if (!kind.authenticated && kind.write) {
      this.degraded(cause, kind, 'refused');
      throw new RateLimitsUnavailableError();
    }
    try {
      const result = await this.localLimiter(budget, spec).consume(key, points);
      this.degraded(cause, kind, 'allowed');
      return result;
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      this.degraded(cause, kind, 'refused');
      return this.refuse(req, budget, { ...spec, points: this.config.values.RATE_LIMIT_DEGRADED_PER_WINDOW }, err);
    }
  }

  private degraded(cause: Error, kind: CallKind, decision: 'allowed' | 'refused'): void {
    this.metrics.rateLimitDegraded(decision, kind.authenticated ? 'authenticated' : 'anonymous');
    if (Date.now() - this.lastDegradedLog < DEGRADED_LOG_EVERY_MS) return;
    this.lastDegradedLog = Date.now();
    this.logger.warn(
      { err: cause.message },
      'rate limits degraded: Redis is unavailable; anonymous writes are refused, other calls spend a local in-process budget',
    );
  }

  private refuse(req: LimitedRequest, budget: BudgetName, spec: BudgetSpec, result: RateLimiterRes): never {
    const retryAfterSeconds = Math.max(1, Math.ceil(result.msBeforeNext / 1000));
    req.rateLimit = {
      limit: spec.points,
      remaining: 0,
      resetSeconds: retryAfterSeconds,
      windowSeconds: spec.duration,
      retryAfterSeconds,
    };
    this.metrics.rateLimitRefused(spec.family);
    throw new RateLimitedError(retryAfterSeconds, spec.description);
  }

  private limiter(budget: BudgetName): RateLimiterRedis {
    let limiter = this.shared.get(budget);
    if (!limiter) {
      const spec = this.specs[budget];
      limiter = new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${this.config.values.REDIS_PREFIX}:rl:${budget}`,
        points: spec.points,
        duration: spec.duration,
        // Fail at once while Redis is down rather than queue behind the reconnect.
        rejectIfRedisNotReady: true,
      });
      this.shared.set(budget, limiter);
    }
    return limiter;
  }

  private localLimiter(budget: BudgetName, spec: BudgetSpec): RateLimiterMemory {
    let limiter = this.local.get(budget);
    if (!limiter) {
      limiter = new RateLimiterMemory({ points: this.config.values.RATE_LIMIT_DEGRADED_PER_WINDOW, duration: spec.duration });
      this.local.set(budget, limiter);
    }
    return limiter;
  }
}

/** Keeps the tightest budget seen so far on the request, for the RateLimit-* headers. */
function record(req: LimitedRequest, spec: BudgetSpec, result: RateLimiterRes): void {
  const remaining = Math.max(0, result.remainingPoints);
  const current = req.rateLimit;
  if (current && (current.retryAfterSeconds !== undefined || current.remaining <= remaining)) return;
  req.rateLimit = {
    limit: spec.points,
    remaining,
    resetSeconds: Math.max(0, Math.ceil(result.msBeforeNext / 1000)),
    windowSeconds: spec.duration,
  };
}

/** Redis is down and this call (an anonymous write) is not admitted without it. */
export class RateLimitsUnavailableError extends AppError {
  constructor(readonly retryAfterSeconds = 5) {
    super(ErrorCode.UNAVAILABLE, `Rate limits cannot be checked right now; retry in ${retryAfterSeconds} s.`, { retryAfterSeconds });
  }
}
