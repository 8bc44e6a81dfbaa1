import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Gauge, type Registry } from 'prom-client';
import type { MonitoredQueue } from './monitored-queues';

/**
 * The states a scrape reports. Jobs added with a priority (every generation job: see
 * fair-scheduler.ts) wait in "prioritized", not in the "wait" list, so "ready for a worker" is
 * waiting + prioritized.
 */
const STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed', 'waiting-children'] as const;

export interface QueueStatsOptions {
  redisUrl: string;
  /** REDIS_PREFIX; each queue's BullMQ prefix is derived from it. */
  redisPrefix: string;
  queues: readonly MonitoredQueue[];
  /** A scrape must answer even when Redis does not. */
  timeoutMs?: number;
}

/**
 * Queue depth and the age of the oldest waiting job, read from Redis when Prometheus scrapes
 * (a few O(1) commands per queue), so the numbers are never staler than the scrape itself.
 * Every process reports the same values; dashboards take `max by (queue)`.
 */
export class QueueStatsCollector {
  private redis?: Redis;
  private handles?: Queue[];

  constructor(
    registry: Registry,
    private readonly options: QueueStatsOptions,
    private readonly onError: (err: Error) => void,
  ) {
    const read = () => this.read();
    new Gauge({
      name: 'brandwright_queue_jobs',
      help: 'Jobs in each queue by state (waiting = ready for a worker)',
      labelNames: ['queue', 'state'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const stats of await read()) {
          for (const state of STATES) this.set({ queue: stats.queue, state }, stats.counts[state] ?? 0);
        }
      },
    });
    new Gauge({
      name: 'brandwright_queue_oldest_waiting_job_age_seconds',
      help: 'How long the oldest job in the wait list, or the next prioritized job, has waited (0 = none waiting)',
      labelNames: ['queue'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const stats of await read()) this.set({ queue: stats.queue }, stats.oldestAgeSeconds);
      },
    });
    new Gauge({
      name: 'brandwright_queue_stats_up',
      help: '1 when the last scrape could read the queues from Redis',
      registers: [registry],
      async collect() {
        this.set((await read()).length > 0 || options.queues.length === 0 ? 1 : 0);
      },
    });
  }

  private pending?: Promise<QueueStats[]>;

  /** One Redis round per scrape, shared by the gauges that ask during it. */
  read(): Promise<QueueStats[]> {
    if (!this.pending) {
      this.pending = this.readAll().finally(() => setImmediate(() => (this.pending = undefined)));
    }
    return this.pending;
  }

  async close(): Promise<void> {
    const handles = this.handles ?? [];
    this.handles = undefined;
    await Promise.all(handles.map((q) => q.close().catch(() => undefined)));
    await this.redis?.quit().catch(() => this.redis?.disconnect());
    this.redis = undefined;
  }

  private async readAll(): Promise<QueueStats[]> {
    const timeoutMs = this.options.timeoutMs ?? 2000;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        Promise.all(this.queues().map((q) => readQueue(q))),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`queue stats timed out after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (err) {
      this.onError(err as Error);
      return [];
    } finally {
      clearTimeout(timer);
    }
  }

  /** Connects on the first scrape: a process nobody scrapes opens no extra connection. */
  private queues(): Queue[] {
    if (!this.handles) {
      this.redis = new Redis(this.options.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: false });
      this.redis.on('error', () => undefined); // reported through the scrape's error instead
      this.handles = this.options.queues.map(
        (q) => new Queue(q.name, { connection: this.redis!, prefix: q.bullPrefix(this.options.redisPrefix) }),
      );
    }
    return this.handles;
  }
}

export interface QueueStats {
  queue: string;
  counts: Record<string, number>;
  oldestAgeSeconds: number;
}

async function readQueue(queue: Queue): Promise<QueueStats> {
  const [counts, oldestWaiting, nextPrioritized] = await Promise.all([
    queue.getJobCounts(...STATES),
    // The wait list is LPUSHed, so its oldest job is at the tail (ascending order, first item);
    // prioritized jobs are ordered by priority, and the first of those is the next to run.
    queue.getJobs(['wait'], 0, 0, true),
    queue.getJobs(['prioritized'], 0, 0, true),
  ]);
  const firstTimestamp = Math.min(...[...oldestWaiting, ...nextPrioritized].map((j) => j.timestamp));
  const oldestAgeSeconds = Number.isFinite(firstTimestamp) ? Math.max(0, (Date.now() - firstTimestamp) / 1000) : 0;
  return { queue: queue.name, counts, oldestAgeSeconds };
}
