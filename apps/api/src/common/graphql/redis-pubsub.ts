import Redis from 'ioredis';
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';

type Listener = (payload: unknown) => void;

/**
 * Mercurius's pub/sub over Redis, so a subscription on one api replica receives what a worker
 * or another replica publishes. One subscriber connection per process; a Redis channel is
 * subscribed while at least one GraphQL subscription listens to its topic. Redis delivers a
 * channel's messages in publish order, so a job's tokens arrive in order.
 */
export class RedisPubSub {
  private readonly subscriber: Redis;
  private readonly listeners = new Map<string, Set<Listener>>();
  /** Mercurius's CustomPubSub type asks for one; nothing uses it (Redis is the emitter). */
  readonly emitter = new EventEmitter();

  constructor(
    private readonly publisher: Redis,
    private readonly prefix: string,
    url: string,
  ) {
    this.subscriber = new Redis(url, { maxRetriesPerRequest: null });
    // It reconnects (and resubscribes) on its own; the shared connection logs the outage once.
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (channel: string, message: string) => {
      const set = this.listeners.get(channel);
      if (!set) return;
      let payload: unknown;
      try {
        payload = JSON.parse(message);
      } catch {
        return;
      }
      for (const listener of set) listener(payload);
    });
  }

  private channel(topic: string): string {
    return `${this.prefix}:pubsub:${topic}`;
  }

  /** Mercurius calls this for `context.pubsub.subscribe(topic)`: messages go into `queue`. */
  async subscribe(topic: string | string[], target: Readable & { close: () => void }): Promise<void> {
    if (Array.isArray(topic)) {
      for (const t of topic) await this.subscribe(t, target);
      return;
    }
    // Mercurius keeps a list of closers on the queue and calls each when the subscription ends.
    const queue = target as unknown as Readable & { close?: Array<() => void> };
    const channel = this.channel(topic);
    const listener: Listener = (payload) => {
      if (!queue.destroyed && !queue.readableEnded) queue.push(payload);
    };
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
      await this.subscriber.subscribe(channel);
    }
    set.add(listener);
    if (!queue.close) queue.close = [];
    queue.close.push(() => {
      set!.delete(listener);
      if (set!.size === 0 && this.listeners.get(channel) === set) {
        this.listeners.delete(channel);
        void this.subscriber.unsubscribe(channel).catch(() => undefined);
      }
    });
  }

  publish(event: { topic: string; payload: unknown }, callback: (err?: Error | null) => void): void {
    this.publisher.publish(this.channel(event.topic), JSON.stringify(event.payload)).then(
      () => callback(null),
      (err: Error) => callback(err),
    );
  }

  async close(): Promise<void> {
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }
}
