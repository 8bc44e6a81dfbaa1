import { loadConfigOrExit } from './config/config';
import { createLogger } from './common/logging/logger';
import { createApi } from './bootstrap';

/** The api process: GraphQL, webhooks, health, and the dashboard's static files. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.values.LOG_LEVEL, 'api');
  const app = await createApi(config, logger);
  await app.listen({ host: config.values.HOST, port: config.values.PORT });
  logger.info({ url: config.values.PUBLIC_URL }, 'api listening');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
