import { randomUUID } from 'node:crypto';
import { type Client as WsClient, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { IDEMPOTENT_MUTATIONS, OPERATIONS, type MutationOperations, type QueryOperations, type SubscriptionOperations } from './generated';

export interface ClientOptions {
  /** The api's origin, e.g. https://brandwright.example.com */
  url: string;
  /** An API key (bw_…) or a person's access token. */
  token?: string;
  /** Attempts for a call refused with 429/503 or lost on the network (default 4). */
  attempts?: number;
  /** The longest wait between attempts, in ms (default 30 s; Retry-After is honoured up to it). */
  maxWaitMs?: number;
}

/** An error the api answered with: `code` is `extensions.code` (docs/api.md, "Errors"). */
export class BrandwrightError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'BrandwrightError';
  }
}

type Variables<T> = T extends { variables: infer V } ? V : never;
type Result<T> = T extends { result: infer R } ? R : never;
/** `{}` for operations without arguments, so `client.query('me')` needs none. */
type Args<V> = [V] extends [Record<string, never>] ? [variables?: V] : [variables: V];

/**
 * A typed client for Brandwright's GraphQL api, for Node. Every query, mutation and subscription
 * of the schema is a method argument (`client.query('brands', { first: 20 })`), typed from
 * apps/api/schema.graphql. Calls refused with 429 or 503 are retried after Retry-After; a
 * mutation with an `input.idempotencyKey` (generateCopy, generateAdImages) gets one if it has
 * none, so retrying it after a lost answer can never make a second job.
 */
export class BrandwrightClient {
  private ws?: WsClient;

  constructor(private readonly options: ClientOptions) {}

  query<K extends keyof QueryOperations>(
    field: K,
    ...[variables]: Args<Variables<QueryOperations[K]>>
  ): Promise<Result<QueryOperations[K]>> {
    return this.call(field, OPERATIONS[field].document, variables ?? {}, true);
  }

  mutate<K extends keyof MutationOperations>(
    field: K,
    ...[variables]: Args<Variables<MutationOperations[K]>>
  ): Promise<Result<MutationOperations[K]>> {
    const withKey = withIdempotencyKey(field, (variables ?? {}) as Record<string, unknown>);
    // Only a mutation that carries an idempotency key is safe to send again after a lost answer.
    return this.call(field, OPERATIONS[field].document, withKey.variables, withKey.keyed);
  }

  /** Any document, for selections the generated ones leave out. Returns `data`. */
  request<T = Record<string, unknown>>(document: string, variables: Record<string, unknown> = {}): Promise<T> {
    return this.send(document, variables, false) as Promise<T>;
  }

  /** Subscribes over graphql-ws; calls `onData` for each event. Resolves when the stream ends. */
  subscribe<K extends keyof SubscriptionOperations>(
    field: K,
    variables: Variables<SubscriptionOperations[K]>,
    onData: (data: Result<SubscriptionOperations[K]>) => void,
  ): Promise<void> {
    const ws = this.wsClient();
    return new Promise((resolve, reject) => {
      ws.subscribe<Record<string, unknown>>(
        { query: OPERATIONS[field].document, variables: variables as Record<string, unknown> },
        {
          next: (message) => {
            if (message.errors?.length) return reject(asError(message.errors as GraphqlErrorBody[], 200));
            onData(message.data?.[field] as Result<SubscriptionOperations[K]>);
          },
          error: (err) => reject(err instanceof Error ? err : new BrandwrightError(String(err), 'UNAVAILABLE', 0)),
          complete: () => resolve(),
        },
      );
    });
  }

  async close(): Promise<void> {
    await this.ws?.dispose();
    this.ws = undefined;
  }

  private async call<T>(field: string, document: string, variables: Record<string, unknown>, retryLost: boolean): Promise<T> {
    const data = (await this.send(document, variables, retryLost)) as Record<string, unknown>;
    return data[field] as T;
  }

  private async send(document: string, variables: Record<string, unknown>, retryLost: boolean): Promise<unknown> {
    const attempts = this.options.attempts ?? 4;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(`${this.options.url}/graphql`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json, application/json;q=0.9',
            ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}),
          },
          body: JSON.stringify({ query: document, variables }),
        });
      } catch (err) {
        if (!retryLost || attempt >= attempts) throw err;
        await this.wait(attempt, null);
        continue;
      }
      const body = (await response.json().catch(() => null)) as { data?: unknown; errors?: GraphqlErrorBody[] } | null;
      // 429 and 503 are refusals before anything ran: always safe to send again.
      if ((response.status === 429 || response.status === 503) && attempt < attempts) {
        await this.wait(attempt, response.headers.get('retry-after'));
        continue;
      }
      if (body?.errors?.length) throw asError(body.errors, response.status);
      if (!response.ok || !body) throw new BrandwrightError(`HTTP ${response.status}`, 'INTERNAL', response.status);
      return body.data;
    }
  }

  private wait(attempt: number, retryAfter: string | null): Promise<void> {
    const max = this.options.maxWaitMs ?? 30_000;
    const given = Number(retryAfter);
    const ms = Number.isFinite(given) && given > 0 ? given * 1000 : 250 * 2 ** attempt * (0.5 + Math.random());
    return new Promise((resolve) => setTimeout(resolve, Math.min(max, ms)));
  }

  private wsClient(): WsClient {
    this.ws ??= createClient({
      url: `${this.options.url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: this.options.token ? { authorization: `Bearer ${this.options.token}` } : {},
      lazy: true,
    });
    return this.ws;
  }
}

interface GraphqlErrorBody {
  message: string;
  extensions?: Record<string, unknown>;
}

function asError(errors: GraphqlErrorBody[], status: number): BrandwrightError {
  const [first] = errors;
  return new BrandwrightError(first.message, String(first.extensions?.code ?? 'INTERNAL'), status, first.extensions ?? {});
}

/** Gives `input.idempotencyKey` a fresh value where the operation takes one and none was given. */
function withIdempotencyKey(field: string, variables: Record<string, unknown>): { variables: Record<string, unknown>; keyed: boolean } {
  const input = variables.input as Record<string, unknown> | undefined;
  if (!input || !IDEMPOTENT_MUTATIONS.includes(field)) return { variables, keyed: false };
  return { variables: { ...variables, input: { ...input, idempotencyKey: input.idempotencyKey ?? randomUUID() } }, keyed: true };
}
