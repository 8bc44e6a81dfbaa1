/** The error codes a client can see (ARCHITECTURE.md "Errors"): `extensions.code` in GraphQL, `error.code` in REST. */
export enum ClientCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  QUOTA_EXCEEDED = 'QUOTA_EXCEEDED',
  PAYMENT_REQUIRED = 'PAYMENT_REQUIRED',
  RATE_LIMITED = 'RATE_LIMITED',
  CONFLICT = 'CONFLICT',
  /** A dependency (PostgreSQL, Redis, the queue) is down for now; retry after `retryAfterSeconds` (HTTP 503). */
  UNAVAILABLE = 'UNAVAILABLE',
  INTERNAL = 'INTERNAL',
}

/** What a specific code means at the edges: the client code it shows as, and whether another attempt could succeed. */
export interface CodeSpec {
  client: ClientCode;
  retryable: boolean;
}

/** A domain's table of its codes; a `Record` over the domain's enum, so a new code cannot be left out. */
export type CodeTable<Code extends string> = Readonly<Record<Code, CodeSpec>>;

export interface CodedErrorJson<Code extends string = string> {
  name: string;
  code: Code;
  message: string;
  client: ClientCode;
  retryable: boolean;
  field?: string;
  extensions?: Record<string, unknown>;
}

/**
 * The one error type for failures someone must tell apart: a client (GraphQL, REST) or the job
 * runner. `code` is the specific reason in the domain's words (MODEL_SIGNATURE_MISMATCH,
 * CREDITS_EXHAUSTED, NOT_FOUND); `clientCode` is what a client sees; `retryable` says whether
 * another attempt could succeed (the job runner never retries one that cannot); `field` names
 * the input to blame. Each domain keeps its own code enum and a table from code to spec, and may
 * name a subclass after itself (GenerationError, BillingException) for readable throw sites.
 */
export class CodedError<Code extends string = string> extends Error {
  readonly clientCode: ClientCode;
  readonly retryable: boolean;

  constructor(
    readonly code: Code,
    message: string,
    spec: CodeSpec,
    /** The input field, file or part to blame, when there is one. */
    readonly field?: string,
    /** Safe extra fields for the client (`retryAfterSeconds`, `reason`…). */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
    this.clientCode = spec.client;
    this.retryable = spec.retryable;
  }

  /** Plain form for crossing a worker_threads boundary (structured clone drops class and fields). */
  toJSON(): CodedErrorJson<Code> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      client: this.clientCode,
      retryable: this.retryable,
      field: this.field,
      extensions: this.extensions,
    };
  }
}

export function isCodedError(error: unknown): error is CodedError {
  return error instanceof CodedError;
}

/** The `never` check of an exhaustive switch: a new case that is not handled fails to compile. */
export function assertUnreachable(value: never): never {
  throw new Error(`Unhandled case: ${String(value)}`);
}
