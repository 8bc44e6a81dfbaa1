import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');
const seconds = z.coerce.number().int().positive();
/** `NAME=` in a copied .env.example means "not set". */
const unsetIfEmpty = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema);

/**
 * Every environment variable Brandwright reads, with its default. `.env.example` lists the same
 * set; a test keeps the two in step.
 */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.string().url().default('http://localhost:3000'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** json: one object a line (production, log shippers); pretty: readable lines (`npm start` sets it). */
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  /** Where to send traces over OTLP/HTTP (e.g. http://otel-collector:4318); unset: traces are not exported. */
  OTEL_EXPORTER_OTLP_ENDPOINT: unsetIfEmpty(z.string().url().optional()),

  DATABASE_URL: z.string().url({ message: 'must be a postgres:// URL' }),
  DATABASE_APP_ROLE: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default('brandwright_app'),
  DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(10),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('bw'),

  // Generation jobs and workers (docs/jobs.md).
  WORKER_QUEUES: z
    .string()
    .regex(/^[a-z-]+(,[a-z-]+)*$/, 'must be queue names separated by commas')
    .default('generate-text,generate-image,webhooks,billing'),
  TEXT_CONCURRENCY: z.coerce.number().int().positive().default(8),
  IMAGE_CONCURRENCY: z.coerce.number().int().positive().default(1),
  WEBHOOK_CONCURRENCY: z.coerce.number().int().positive().default(8),
  WORKSPACE_CONCURRENCY: z.coerce.number().int().positive().default(4),
  MAX_COPY_VARIANTS: z.coerce.number().int().min(1).max(20).default(10),
  MAX_IMAGE_VARIANTS: z.coerce.number().int().min(1).max(16).default(4),
  JOB_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(3),
  JOB_LOCK_MS: z.coerce.number().int().min(500).default(30_000),
  JOB_STALLED_INTERVAL_MS: z.coerce.number().int().min(200).default(30_000),
  JOB_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(30_000),
  JOB_SWEEP_AFTER_MS: z.coerce.number().int().min(0).default(120_000),
  // Outages (docs/operations.md): how long infrastructure errors are retried before a job or a
  // relay gives up on them, how often the webhook relay polls PostgreSQL, and how often repeatable
  // schedules (usage reporting, reconciliation) are re-asserted in case Redis lost them.
  OUTAGE_BUDGET_MS: z.coerce.number().int().min(0).default(600_000),
  WEBHOOK_RELAY_INTERVAL_MS: z.coerce.number().int().min(50).default(2_000),
  SCHEDULE_REASSERT_INTERVAL_MS: z.coerce.number().int().min(100).default(60_000),
  ASSET_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(3_600_000),
  ASSET_SWEEP_AFTER_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(6 * 3_600_000),
  MODEL_DIR: z.string().default('.data/models'),
  TEXT_MODEL_ID: z.string().optional(),
  // A text request that makes no progress (no prefill, no token) this long fails with GENERATION_STALLED.
  TEXT_STALL_TIMEOUT_MS: z.coerce.number().int().min(100).default(120_000),
  EXECUTION_PROVIDER: z.enum(['auto', 'cpu', 'cuda']).default('auto'),
  INFERENCE_THREADS: z.coerce.number().int().positive().optional(),
  STORAGE_DRIVER: z.enum(['local', 's3']).default('local'),
  ASSET_DIR: z.string().default('.data/assets'),
  ASSET_URL_TTL_SECONDS: seconds.default(3600),
  S3_ENDPOINT: z.string().url().optional(),
  S3_REGION: z.string().default('us-east-1'),
  S3_BUCKET: z.string().optional(),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  /** Longest wait for a connection to the store, and for each response. */
  S3_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  WEBHOOK_ATTEMPTS: z.coerce.number().int().min(1).max(30).default(8),
  WEBHOOK_BACKOFF_MS: z.coerce.number().int().min(10).default(5_000),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  // Off by default: client webhooks may not reach loopback, private or link-local addresses.
  WEBHOOK_ALLOW_PRIVATE_TARGETS: bool.default(false),

  JWT_SECRET: z.string().min(32, 'must be at least 32 characters'),
  JWT_ACCESS_TTL_SECONDS: seconds.default(900),
  REFRESH_TOKEN_TTL_SECONDS: seconds.default(30 * 24 * 3600),
  INVITATION_TTL_SECONDS: seconds.default(7 * 24 * 3600),
  COOKIE_SECURE: bool.optional(),

  GRAPHQL_MAX_DEPTH: z.coerce.number().int().positive().default(10),
  GRAPHQL_MAX_COMPLEXITY: z.coerce.number().int().positive().default(5000),
  GRAPHQL_INTROSPECTION: bool.optional(),
  // How often a live subscription re-checks its credential (a revoked key, a removed member).
  SUBSCRIPTION_AUTH_CHECK_MS: z.coerce.number().int().min(50).default(10_000),
  RATE_LIMIT_WINDOW_SECONDS: seconds.default(60),
  RATE_LIMIT_WORKSPACE_PER_WINDOW: z.coerce.number().int().positive().default(1200),
  RATE_LIMIT_API_KEY_PER_WINDOW: z.coerce.number().int().positive().default(600),
  RATE_LIMIT_ANONYMOUS_PER_WINDOW: z.coerce.number().int().positive().default(120),
  // Every request from one client address, checked before authentication.
  RATE_LIMIT_ADDRESS_PER_WINDOW: z.coerce.number().int().positive().default(600),
  RATE_LIMIT_LOGIN_FAILURES_PER_HOUR: z.coerce.number().int().positive().default(30),
  RATE_LIMIT_SIGN_UPS_PER_HOUR: z.coerce.number().int().positive().default(20),
  RATE_LIMIT_CREDENTIAL_FAILURES_PER_HOUR: z.coerce.number().int().positive().default(60),
  /** While Redis is unreachable: calls per window each key may make against this process alone. */
  RATE_LIMIT_DEGRADED_PER_WINDOW: z.coerce.number().int().positive().default(60),
  /** Proxies whose X-Forwarded-For is believed: addresses or CIDRs, comma-separated; empty: none. */
  TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  /** Request bodies past this are refused with 413 (a 1 MB logo is about 1.4 MB as base64). */
  HTTP_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(2_097_152),
  /** Bearer token for GET /metrics on the api port; unset: /metrics is not served there. */
  METRICS_TOKEN: unsetIfEmpty(z.string().min(16, 'must be at least 16 characters').optional()),

  DASHBOARD_DIR: z.string().default('apps/dashboard/dist'),
  /** The worker's metrics-only HTTP listener (GET /metrics, /healthz); 0 turns it off. The api serves /metrics on PORT with METRICS_TOKEN. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),

  // Billing (libs/billing). Without STRIPE_SECRET_KEY the ledger and limits still work; checkout,
  // portal, invoices and usage reporting are off. STRIPE_API_* aim the SDK at test/stripe-fake.
  STRIPE_SECRET_KEY: unsetIfEmpty(z.string().optional()),
  STRIPE_WEBHOOK_SECRET: unsetIfEmpty(z.string().optional()),
  STRIPE_API_HOST: unsetIfEmpty(z.string().optional()),
  STRIPE_API_PORT: unsetIfEmpty(z.coerce.number().int().min(1).max(65535).optional()),
  STRIPE_API_PROTOCOL: unsetIfEmpty(z.enum(['http', 'https']).optional()),
  STRIPE_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
  STRIPE_MAX_NETWORK_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  BILLING_REPORT_INTERVAL_SECONDS: seconds.default(10),
  BILLING_RECONCILE_CRON: z.string().default('15 3 * * *'),
});

export type ConfigValues = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

/**
 * Reads and validates the environment once. A bad value throws one message naming each variable
 * and what is wrong with it; main.ts prints it and exits 1.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration — ${problems}`);
  }
  return new AppConfig(parsed.data);
}

/** For a process entry point: the configuration, or one clear line on stderr and exit code 1. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): AppConfig {
  try {
    return loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}

/** The typed configuration, injected by class wherever a value is needed. */
export class AppConfig {
  constructor(readonly values: ConfigValues) {}

  get isProduction(): boolean {
    return this.values.NODE_ENV === 'production';
  }
  get introspection(): boolean {
    return this.values.GRAPHQL_INTROSPECTION ?? !this.isProduction;
  }
  get cookieSecure(): boolean {
    return this.values.COOKIE_SECURE ?? this.isProduction;
  }
}
