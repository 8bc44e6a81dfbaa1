import type { DataSource } from 'typeorm';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { AssetStorage } from './asset-storage';

export interface AssetSweeperOptions {
  prefix: string;
  /** ASSET_SWEEP_INTERVAL_MS */
  intervalMs: number;
  /** ASSET_SWEEP_AFTER_MS: files younger than this are never touched (a job may be writing them). */
  olderThanMs: number;
  batchSize?: number;
}

/**
 * Deletes asset files that no asset row names. An image job writes its files before the
 * transaction that inserts their rows; a job that dies in between (and then fails, or writes
 * under other keys on its next run) leaves files nobody can reach. Every ASSET_SWEEP_INTERVAL_MS
 * one worker (a Redis lock) lists files older than ASSET_SWEEP_AFTER_MS and asks PostgreSQL
 * (`asset_files_in_use`, across workspaces) which are still named by a row or belong to an
 * unfinished job; the rest are deleted.
 */
export class AssetSweeper {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly redis: Redis,
    private readonly storage: AssetStorage,
    private readonly logger: Logger,
    private readonly options: AssetSweeperOptions,
  ) {}

  start(): void {
    this.timer = setInterval(
      () => void this.sweepOnce().catch((err: Error) => this.logger.warn({ err }, 'asset sweep failed; trying again next interval')),
      this.options.intervalMs,
    );
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass; returns the keys deleted. */
  async sweepOnce(): Promise<string[]> {
    const lock = await this.redis.set(`${this.options.prefix}:assets:sweeper`, String(process.pid), 'PX', this.options.intervalMs, 'NX');
    if (lock !== 'OK') return [];
    const cutoff = new Date(Date.now() - this.options.olderThanMs);
    const deleted: string[] = [];
    let batch: string[] = [];
    const flush = async () => {
      const rows: Array<{ asset_files_in_use: string }> = await this.dataSource.query(`SELECT asset_files_in_use($1::text[])`, [batch]);
      const inUse = new Set(rows.map((r) => r.asset_files_in_use));
      for (const key of batch.filter((k) => !inUse.has(k))) {
        await this.storage.delete(key);
        deleted.push(key);
      }
      batch = [];
    };
    for await (const key of this.storage.listOlderThan(cutoff)) {
      batch.push(key);
      if (batch.length >= (this.options.batchSize ?? 500)) await flush();
    }
    if (batch.length) await flush();
    if (deleted.length) this.logger.warn({ count: deleted.length, sample: deleted.slice(0, 5) }, 'deleted asset files no asset row names');
    return deleted;
  }
}
