import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Seconds; HTTP and GraphQL answers are expected well under a second. */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds; a generation job takes from a fraction of a second (tiny CPU model) to minutes (SD on CPU). */
const JOB_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800];

/**
 * Brandwright's Prometheus metrics, one registry per process (not prom-client's global one, so
 * tests can boot several apps in one process). Other modules call the named methods; nothing
 * outside this folder touches prom-client. Rates (tokens/s, images/s) are PromQL `rate()` over
 * the counters, which stays correct across scrapes and replicas, unlike a gauge of "last speed".
 */
/** A worker's own readiness: not ready while a model it needs has not loaded. */
export interface WorkerReadiness {
  ready: boolean;
  [detail: string]: unknown;
}

export class Metrics {
  readonly registry = new Registry();

  private readonly httpDuration = new Histogram({
    name: 'brandwright_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: REQUEST_BUCKETS,
    registers: [this.registry],
  });
  private readonly graphqlDuration = new Histogram({
    name: 'brandwright_graphql_operation_duration_seconds',
    help: 'GraphQL operations from parse to result, by type, operation name and outcome',
    labelNames: ['operation_type', 'operation_name', 'outcome'] as const,
    buckets: REQUEST_BUCKETS,
    registers: [this.registry],
  });
  private readonly jobDuration = new Histogram({
    name: 'brandwright_job_duration_seconds',
    help: 'Time a worker spent on a job, by queue and outcome',
    labelNames: ['queue', 'outcome'] as const,
    buckets: JOB_BUCKETS,
    registers: [this.registry],
  });
  private readonly tokens = new Counter({
    name: 'brandwright_generated_tokens_total',
    help: 'Text tokens generated; tokens/s = rate(brandwright_generated_tokens_total[1m])',
    registers: [this.registry],
  });
  private readonly textSeconds = new Counter({
    name: 'brandwright_text_generation_seconds_total',
    help: 'Seconds spent generating text; tokens per busy second = rate(tokens) / rate(this)',
    registers: [this.registry],
  });
  private readonly images = new Counter({
    name: 'brandwright_generated_images_total',
    help: 'Images generated (pictures before compositing); images/s = rate(brandwright_generated_images_total[1m])',
    registers: [this.registry],
  });
  private readonly imageSeconds = new Counter({
    name: 'brandwright_image_generation_seconds_total',
    help: 'Seconds spent generating images',
    registers: [this.registry],
  });
  private readonly provider = new Gauge({
    name: 'brandwright_execution_provider',
    help: 'The ONNX Runtime execution provider each engine of this process uses (1 = in use)',
    labelNames: ['engine', 'provider'] as const,
    registers: [this.registry],
  });
  private readonly stripeLag = new Gauge({
    name: 'brandwright_stripe_reporting_lag_seconds',
    help: 'Age of the oldest settled usage row not yet accepted by Stripe (0 = all reported)',
    registers: [this.registry],
  });
  private readonly rateLimitRefusals = new Counter({
    name: 'brandwright_rate_limit_refusals_total',
    help: 'Calls refused with RATE_LIMITED, by budget (address, anonymous, log_in_failures, sign_ups, credential_failures, api_key, workspace, plan_*)',
    labelNames: ['budget'] as const,
    registers: [this.registry],
  });
  private readonly rateLimitDegradedDecisions = new Counter({
    name: 'brandwright_rate_limit_degraded_total',
    help: 'Rate-limit decisions taken without Redis (it was unreachable): allowed on the local budget, or refused',
    labelNames: ['decision', 'caller'] as const,
    registers: [this.registry],
  });
  private readonly modelReady = new Gauge({
    name: 'brandwright_worker_model_ready',
    help: "1 while the worker's model for an engine is loaded, 0 while it loads or after it failed",
    labelNames: ['engine'] as const,
    registers: [this.registry],
  });
  /** What the worker's /readyz answers (set by the worker runtime; the api has its own /readyz). */
  private readinessReport: (() => WorkerReadiness) | null = null;
  private readonly providers = new Map<string, string>();
  /** Root fields of the schema: the only values the operation_name label takes, besides "other". */
  private knownOperations = new Set<string>();

  constructor(
    /** 'api' or 'worker': a `role` label on every series, so one dashboard tells the processes apart. */
    role: string,
  ) {
    this.registry.setDefaultLabels({ role });
    collectDefaultMetrics({ register: this.registry });
  }

  /** A worker finished a job successfully after `seconds`. */
  jobCompleted(queue: string, seconds: number): void {
    this.jobDuration.observe({ queue, outcome: 'completed' }, seconds);
  }

  /** A job attempt failed (it may be retried) after `seconds`. */
  jobFailed(queue: string, seconds: number): void {
    this.jobDuration.observe({ queue, outcome: 'failed' }, seconds);
  }

  /** `count` text tokens were generated, taking `seconds` of generation time when known. */
  tokensGenerated(count: number, seconds?: number): void {
    if (count > 0) this.tokens.inc(count);
    if (seconds !== undefined && seconds > 0) this.textSeconds.inc(seconds);
  }

  /** `count` images were generated, taking `seconds` when known. */
  imagesGenerated(count: number, seconds?: number): void {
    if (count > 0) this.images.inc(count);
    if (seconds !== undefined && seconds > 0) this.imageSeconds.inc(seconds);
  }

  /** The execution provider an engine ('text', 'image') settled on; replaces the previous one. */
  executionProvider(provider: string, engine = 'default'): void {
    const previous = this.providers.get(engine);
    if (previous !== undefined && previous !== provider) this.provider.remove({ engine, provider: previous });
    this.providers.set(engine, provider);
    this.provider.set({ engine, provider }, 1);
  }

  /** The worker's model for `engine` loaded (or failed / is loading). */
  modelState(engine: string, ready: boolean): void {
    this.modelReady.set({ engine }, ready ? 1 : 0);
  }

  /** Where the worker's metrics listener reads its readiness from. */
  setReadiness(report: () => WorkerReadiness): void {
    this.readinessReport = report;
  }

  readiness(): WorkerReadiness {
    return this.readinessReport?.() ?? { ready: true };
  }

  /** How far behind usage reporting to Stripe is: the oldest unreported row's age. */
  stripeReportingLag(seconds: number): void {
    this.stripeLag.set(Math.max(0, seconds));
  }

  observeHttpRequest(method: string, route: string, statusCode: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status_code: String(statusCode) }, seconds);
  }

  /**
   * Times one GraphQL operation. `rootField` is its first root field (brands, generateCopy); it is
   * the label only when it is one of the schema's (see knownOperationsAre), so clients cannot grow
   * the series: operation names are the client's choice and are not used.
   */
  observeGraphqlOperation(type: string, rootField: string | undefined, outcome: 'success' | 'error', seconds: number): void {
    const label = rootField && this.knownOperations.has(rootField) ? rootField : 'other';
    this.graphqlDuration.observe({ operation_type: type, operation_name: label, outcome }, seconds);
  }

  /** The schema's root fields (Query, Mutation, Subscription), set once the schema is built. */
  knownOperationsAre(names: Iterable<string>): void {
    this.knownOperations = new Set(names);
  }

  /** A call was refused by a rate-limit budget of this family. */
  rateLimitRefused(budget: string): void {
    this.rateLimitRefusals.inc({ budget });
  }

  /** Redis was unreachable, so a rate limit was decided locally. */
  rateLimitDegraded(decision: 'allowed' | 'refused', caller: 'authenticated' | 'anonymous'): void {
    this.rateLimitDegradedDecisions.inc({ decision, caller });
  }

  /** The Prometheus text exposition of every metric of this process. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
