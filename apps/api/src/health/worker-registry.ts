import { hostname } from 'node:os';
import type Redis from 'ioredis';
import type { Logger } from 'pino';

/** A model's state in one worker: `ready`, `loading`, or `failed: <why>`. */
export type ModelState = 'ready' | 'loading' | `failed: ${string}`;

/** What a worker says about itself, every few seconds, for readiness and for waiting jobs. */
export interface WorkerReport {
  id: string;
  queues: string[];
  /** The text model (only when the worker consumes generate-text). */
  textModel?: ModelState;
  at: string;
}

const key = (prefix: string, id?: string) => `${prefix}:workers:${id ?? '*'}`;

/** The text queue is the one whose jobs need a loaded model to be served. */
const TEXT_QUEUE = 'generate-text';

/**
 * Workers' heartbeats in Redis (a key per worker with a TTL of three intervals), so the api's
 * /readyz and the sweeper can tell "no worker can serve this" from "the queue is busy". A worker
 * that cannot load its model stays up, reports `failed: …` here and keeps retrying.
 */
export class WorkerRegistry {
  private timer: NodeJS.Timeout | null = null;
  readonly id = `${hostname()}:${process.pid}`;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly intervalMs = 5_000,
  ) {}

  /** Publishes `report()` now and every interval until stopped (errors are logged: Redis may be down). */
  start(report: () => Omit<WorkerReport, 'id' | 'at'>, logger: Logger): void {
    this.beat = () =>
      this.redis
        .set(
          key(this.prefix, this.id),
          JSON.stringify({ ...report(), id: this.id, at: new Date().toISOString() }),
          'PX',
          this.intervalMs * 3,
        )
        .then(() => undefined)
        .catch((err: Error) => logger.debug({ err }, 'could not publish the worker heartbeat'));
    void this.beat();
    this.timer = setInterval(() => void this.beat(), this.intervalMs);
    this.timer.unref();
  }

  /** Publishes the report now (a model just loaded or failed); a no-op before `start`. */
  beat: () => Promise<void> = async () => undefined;

  /** Stops the heartbeat and removes this worker's report. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.redis.del(key(this.prefix, this.id)).catch(() => undefined);
  }

  /** Every live worker's report. */
  async workers(): Promise<WorkerReport[]> {
    const reports: WorkerReport[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', key(this.prefix), 'COUNT', 200);
      cursor = next;
      if (keys.length) {
        for (const value of await this.redis.mget(...keys)) if (value) reports.push(JSON.parse(value) as WorkerReport);
      }
    } while (cursor !== '0');
    return reports;
  }

  /** Why a job of this queue waits, when no live worker can serve it; null when one can. */
  async waitingReason(queue: string): Promise<string | null> {
    const consumers = (await this.workers()).filter((w) => w.queues.includes(queue));
    if (!consumers.length) return `waiting: no worker consumes ${queue}`;
    if (queue === TEXT_QUEUE && !consumers.some((w) => w.textModel === 'ready')) {
      const why = consumers.map((w) => w.textModel).find((s) => s?.startsWith('failed'));
      return `waiting: no worker has a text model${why ? ` (${why})` : ''}`;
    }
    return null;
  }
}
