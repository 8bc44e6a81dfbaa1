import type Redis from 'ioredis';

/** BullMQ's highest priority number (lowest urgency). */
export const MAX_BULLMQ_PRIORITY = 2_097_152;

const TRY_START = `
local running = KEYS[1]
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', running, '-inf', now)
if redis.call('ZSCORE', running, ARGV[3]) then
  redis.call('ZADD', running, now + tonumber(ARGV[4]), ARGV[3])
  return 1
end
if redis.call('ZCARD', running) < tonumber(ARGV[2]) then
  redis.call('ZADD', running, now + tonumber(ARGV[4]), ARGV[3])
  redis.call('PEXPIRE', running, tonumber(ARGV[4]) * 2)
  return 1
end
return 0`;

/**
 * Fairness between workspaces on shared BullMQ queues (BullMQ Pro's groups are not available).
 *
 * - Priority by backlog: a job's BullMQ priority is its position in its workspace's backlog
 *   (jobs queued and not yet finished) times its plan's weight. A workspace's 1st waiting job
 *   competes with every other workspace's 1st, its 10,000th only with others' 10,000th: a burst
 *   from one workspace cannot starve the rest, and paying plans (smaller weight) go first.
 *   The backlog is a Redis set of job ids, so counting is idempotent when a job runs twice.
 * - Concurrency cap: a workspace may run at most `workspaceConcurrency` jobs at once across all
 *   workers. A slot is a member of a sorted set scored by its lease expiry, so a worker killed
 *   mid-job frees its slot when the lease runs out; the job itself re-takes its own slot.
 */
export class FairScheduler {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly workspaceConcurrency: number,
  ) {
    // Loaded once, then called by SHA on every job start.
    if (!('bwFairTryStart' in redis)) redis.defineCommand('bwFairTryStart', { numberOfKeys: 1, lua: TRY_START });
  }

  private backlogKey(workspaceId: string): string {
    return `${this.prefix}:fair:backlog:${workspaceId}`;
  }

  private runningKey(workspaceId: string): string {
    return `${this.prefix}:fair:running:${workspaceId}`;
  }

  /** Adds a job to its workspace's backlog; returns the BullMQ priority to enqueue it with. */
  async admit(workspaceId: string, jobId: string, planWeight: number): Promise<number> {
    const results = await this.redis.multi().sadd(this.backlogKey(workspaceId), jobId).scard(this.backlogKey(workspaceId)).exec();
    const position = Number(results?.[1]?.[1] ?? 1);
    return priorityFor(position, planWeight);
  }

  /** Takes a running slot for the job (or renews the one it holds); false when the workspace is at its cap. */
  async tryStart(workspaceId: string, jobId: string, leaseMs: number): Promise<boolean> {
    const started = await (this.redis as unknown as FairCommands).bwFairTryStart(
      this.runningKey(workspaceId),
      Date.now(),
      this.workspaceConcurrency,
      jobId,
      leaseMs,
    );
    return started === 1;
  }

  /** The job left the queue for good (finished, failed, cancelled): frees its slot and backlog place. */
  async finish(workspaceId: string, jobId: string): Promise<void> {
    await this.redis.multi().srem(this.backlogKey(workspaceId), jobId).zrem(this.runningKey(workspaceId), jobId).exec();
  }

  /** Gives the running slot back without leaving the backlog (the job will run again). */
  async pause(workspaceId: string, jobId: string): Promise<void> {
    await this.redis.zrem(this.runningKey(workspaceId), jobId);
  }
}

/** Position 1 of a weight-1 plan is priority 1; never 0 (BullMQ's "no priority", which jumps ahead). */
export function priorityFor(position: number, planWeight: number): number {
  return Math.max(1, Math.min(MAX_BULLMQ_PRIORITY, Math.round(position * Math.max(1, planWeight))));
}

interface FairCommands {
  bwFairTryStart(key: string, now: number, cap: number, jobId: string, leaseMs: number): Promise<number>;
}
