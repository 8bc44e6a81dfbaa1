import { type Attributes, type Context, SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';

/**
 * One trace per generation job, across processes (docs/operations.md, "Traces"):
 *
 *   POST /graphql (http)  →  graphql operation  →  reserve
 *                                               →  enqueue ─(trace context in the job data)─┐
 *   worker:  job <name>  →  queue wait (enqueued → picked up)                                ←┘
 *                        →  generate (the handler, the engine's work)
 *                        →  settle (results, usage and status in one transaction)
 */
const tracer = trace.getTracer('brandwright');

/** W3C trace context (`traceparent`, `tracestate`) as it travels in a job's data. */
export type TraceCarrier = Record<string, string>;

/** Runs `work` in a child span of the active one; an error marks the span and is rethrown. */
export function inSpan<T>(name: string, work: () => Promise<T>, attributes?: Attributes): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * The producer side: an `enqueue` span around `add`, whose context `add` receives as the carrier to
 * put in the job's data; the worker's job span becomes its child.
 */
export function enqueueTraced<T>(queue: string, jobId: string, add: (trace: TraceCarrier) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(
    'enqueue',
    { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'bullmq', 'messaging.destination.name': queue, 'job.id': jobId } },
    async (span) => {
      const carrier: TraceCarrier = {};
      propagation.inject(context.active(), carrier);
      try {
        return await add(carrier);
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

export interface TracedJob {
  id?: string;
  name: string;
  queueName: string;
  /** When BullMQ took the job in (ms); the queue wait starts here. */
  timestamp: number;
  attemptsMade: number;
  data: { jobId: string; workspaceId: string; trace?: TraceCarrier };
}

/**
 * The consumer side: the job's span (child of the enqueue span whose context the job carries;
 * a root span when it has none, e.g. re-enqueued by the sweeper), a `queue wait` span from
 * enqueue to now, then `work` inside the job span.
 */
export function traceJob<T>(job: TracedJob, work: () => Promise<T>): Promise<T> {
  const parent: Context = job.data.trace ? propagation.extract(context.active(), job.data.trace) : context.active();
  const enqueuedAt = new Date(job.timestamp);
  const attributes = {
    'messaging.system': 'bullmq',
    'messaging.destination.name': job.queueName,
    'job.id': job.data.jobId,
    'job.attempt': job.attemptsMade + 1,
    'workspace.id': job.data.workspaceId,
  };
  return tracer.startActiveSpan(`job ${job.name}`, { kind: SpanKind.CONSUMER, startTime: enqueuedAt, attributes }, parent, async (span) => {
    tracer.startSpan('queue wait', { startTime: enqueuedAt, attributes: { 'job.id': job.data.jobId } }).end();
    try {
      return await work();
    } catch (error) {
      // BullMQ's DelayedError: the job went back to the queue for a moment (fairness cap), no failure.
      if ((error as Error).name === 'DelayedError') span.setAttribute('job.deferred', true);
      else {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      }
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The active trace and span ids, for log lines. */
export function activeTraceIds(): { traceId: string; spanId: string } | undefined {
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const { traceId, spanId, traceFlags } = span.spanContext();
  return traceFlags & 1 ? { traceId, spanId } : undefined;
}
