import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { GraphQLInstrumentation } from '@opentelemetry/instrumentation-graphql';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

export interface TelemetryOptions {
  /** `brandwright-api` or `brandwright-worker`: the service.name spans carry. */
  serviceName: string;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: spans go there over OTLP/HTTP; unset: they go nowhere. */
  otlpEndpoint?: string;
  /** Tests pass their own (an in-memory exporter); replaces the OTLP one. */
  spanProcessors?: SpanProcessor[];
}

export interface Telemetry {
  /** Sends what is still buffered and stops; the process then exits. */
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry for this process: W3C trace context, spans for incoming and outgoing HTTP
 * and for GraphQL operations, and the job spans of telemetry/job-tracing.ts. Call it before the
 * app's modules are loaded (main.ts and worker.ts import the app afterwards), so http and graphql
 * are patched when they are first required. Spans are always made (log lines carry their trace
 * id); they leave the process only when an OTLP endpoint is set.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  const spanProcessors =
    options.spanProcessors ??
    // The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT (and _HEADERS, _TIMEOUT) itself, adding /v1/traces.
    (options.otlpEndpoint ? [new BatchSpanProcessor(new OTLPTraceExporter())] : []);
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    // Given explicitly, so the SDK never sets up exporters from the environment on its own.
    spanProcessors,
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        // Probes and scrapes are not worth a trace each.
        ignoreIncomingRequestHook: (req) => /^\/(healthz|readyz|metrics)\b/.test(req.url ?? ''),
      }),
      new GraphQLInstrumentation({ mergeItems: true, ignoreTrivialResolveSpans: true }),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
