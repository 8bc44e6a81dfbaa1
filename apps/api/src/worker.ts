import 'reflect-metadata';
import { loadConfigOrExit } from './config/config';
import { startTelemetry } from './telemetry/telemetry';

/**
 * The worker process: BullMQ consumers for WORKER_QUEUES, as a Nest application context (no
 * HTTP). SIGTERM/SIGINT stop taking jobs and let running ones finish before exiting; a job that
 * can't finish (the process is killed) is put back by BullMQ's stalled check and runs elsewhere.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const telemetry = startTelemetry({ serviceName: 'brandwright-worker', otlpEndpoint: config.values.OTEL_EXPORTER_OTLP_ENDPOINT });
  // Loaded after telemetry starts, so that what it instruments is patched when first required.
  const { NestFactory } = await import('@nestjs/core');
  const { createLogger } = await import('./common/logging/logger');
  const { PinoNestLogger } = await import('./common/logging/nest-logger');
  const { WorkerModule } = await import('./worker.module');
  const logger = createLogger(config.values.LOG_LEVEL, 'worker', config.values.LOG_FORMAT);
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, logger), {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    app
      .close()
      .then(() => telemetry.shutdown()) // sends the spans still buffered
      .then(() => process.exit(0))
      .catch((err: Error) => {
        logger.error({ err }, 'worker shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
