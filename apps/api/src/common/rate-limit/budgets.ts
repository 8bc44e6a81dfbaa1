import { PLANS, type PlanId } from '@brandwright/billing';
import type { ConfigValues } from '../../config/config';

/** One rate-limit budget: `points` calls per `duration` seconds for each key (address, key id, workspace id). */
export interface BudgetSpec {
  points: number;
  duration: number;
  /** A bounded label for metrics (plan budgets share one). */
  family: string;
  /** What was exceeded, in a client's words. */
  description: string;
}

export type BudgetName =
  | 'address'
  | 'anonymous'
  | 'logInFailures'
  | 'signUps'
  | 'credentialFailures'
  | 'apiKey'
  | 'workspace'
  | `planWorkspace:${PlanId}`
  | `planKey:${PlanId}`;

const HOUR = 3600;

/**
 * Every budget the api enforces, from the configuration and the plans. The per-address budgets
 * run before authentication; the plan's `rateLimitPerMinute` is the generation calls a minute each
 * workspace, and each of its API keys, may make (docs/api.md, "Limits").
 */
export function budgetSpecs(v: ConfigValues): Record<BudgetName, BudgetSpec> {
  const window = v.RATE_LIMIT_WINDOW_SECONDS;
  const specs = {
    address: { points: v.RATE_LIMIT_ADDRESS_PER_WINDOW, duration: window, family: 'address', description: 'requests from this address' },
    anonymous: {
      points: v.RATE_LIMIT_ANONYMOUS_PER_WINDOW,
      duration: window,
      family: 'anonymous',
      description: 'unauthenticated requests from this address',
    },
    logInFailures: {
      points: v.RATE_LIMIT_LOGIN_FAILURES_PER_HOUR,
      duration: HOUR,
      family: 'log_in_failures',
      description: 'failed log-ins from this address',
    },
    signUps: { points: v.RATE_LIMIT_SIGN_UPS_PER_HOUR, duration: HOUR, family: 'sign_ups', description: 'sign-ups from this address' },
    credentialFailures: {
      points: v.RATE_LIMIT_CREDENTIAL_FAILURES_PER_HOUR,
      duration: HOUR,
      family: 'credential_failures',
      description: 'refused API keys, access or refresh tokens from this address',
    },
    apiKey: { points: v.RATE_LIMIT_API_KEY_PER_WINDOW, duration: window, family: 'api_key', description: 'calls with this API key' },
    workspace: {
      points: v.RATE_LIMIT_WORKSPACE_PER_WINDOW,
      duration: window,
      family: 'workspace',
      description: 'calls by this workspace',
    },
  } as Record<BudgetName, BudgetSpec>;
  for (const plan of Object.values(PLANS)) {
    specs[`planWorkspace:${plan.id}`] = {
      points: plan.rateLimitPerMinute,
      duration: 60,
      family: 'plan_workspace',
      description: `generation calls a minute by this workspace (the ${plan.name} plan allows ${plan.rateLimitPerMinute})`,
    };
    specs[`planKey:${plan.id}`] = {
      points: plan.rateLimitPerMinute,
      duration: 60,
      family: 'plan_api_key',
      description: `generation calls a minute with this API key (the ${plan.name} plan allows ${plan.rateLimitPerMinute})`,
    };
  }
  return specs;
}
