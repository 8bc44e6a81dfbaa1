import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApi } from '../../apps/api/src/bootstrap';
import { loadConfig } from '../../apps/api/src/config/config';
import { createLogger } from '../../apps/api/src/common/logging/logger';
import { createTestDatabase, type TestDatabase } from './database';

export interface TestApp {
  url: string;
  app: NestFastifyApplication;
  database: TestDatabase;
  close(): Promise<void>;
}

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-0123456789';

/** The configuration a test app runs with: its own database and Redis key prefix. */
export function testEnv(database: TestDatabase, overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `bwtest-${database.name}`,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    PUBLIC_URL: 'http://localhost:3000',
    // Every test file calls from 127.0.0.1, signing up dozens of people; the per-address budgets
    // have their own tests (test/api/rate-limits.test.ts), which set them low again.
    RATE_LIMIT_ADDRESS_PER_WINDOW: '1000000',
    RATE_LIMIT_ANONYMOUS_PER_WINDOW: '1000000',
    RATE_LIMIT_SIGN_UPS_PER_HOUR: '1000000',
    RATE_LIMIT_LOGIN_FAILURES_PER_HOUR: '1000000',
    RATE_LIMIT_CREDENTIAL_FAILURES_PER_HOUR: '1000000',
    ...overrides,
  };
}

/** Boots the real api (Fastify, GraphQL, PostgreSQL, Redis) on a free port. */
export async function startApp(overrides: Record<string, string> = {}, database?: TestDatabase): Promise<TestApp> {
  const db = database ?? (await createTestDatabase());
  const config = loadConfig(testEnv(db, overrides));
  const app = await createApi(config, createLogger(config.values.LOG_LEVEL, 'api-test'));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.getHttpServer().address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    app,
    database: db,
    async close() {
      await app.close();
      if (!database) await db.drop();
    },
  };
}
