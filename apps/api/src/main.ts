import { loadConfigOrExit } from './config/config';
import { startTelemetry } from './telemetry/telemetry';

/** The api process: GraphQL, webhooks, health, and the dashboard's static files. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  startTelemetry({ serviceName: 'brandwright-api', otlpEndpoint: config.values.OTEL_EXPORTER_OTLP_ENDPOINT });
  // Loaded after telemetry starts, so that http and graphql are instrumented when first required.
  const { createLogger } = await import('./common/logging/logger');
  const { createApi } = await import('./bootstrap');
  const logger = createLogger(config.values.LOG_LEVEL, 'api', config.values.LOG_FORMAT);
  const app = await createApi(config, logger);
  await app.listen({ host: config.values.HOST, port: config.values.PORT });
  logger.info({ url: config.values.PUBLIC_URL }, 'api listening');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
