import type { Bus } from '../engine/bus.js';
import type { RedisCommands } from './redis-commands.js';

/** What the bus needs of a second ioredis client, the one in subscriber mode. */
export interface RedisSubscriber {
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(...channels: string[]): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
}

export interface RedisBusOptions {
  /** Prefix of every channel. Default `mcpkit:bus:`. */
  prefix?: string;
}

/**
 * Redis pub/sub between nodes: `publisher` is any client, `subscriber` a client of its own (Redis
 * takes a subscribing connection out of normal use): `redis.duplicate()`, used once it is ready
 * (its ready check is not a command a subscriber may send). ioredis resubscribes after a
 * reconnect by itself.
 */
export class RedisBus implements Bus {
  private readonly prefix: string;
  private readonly listeners = new Map<string, Set<(message: string) => void>>();

  constructor(
    private readonly publisher: RedisCommands,
    private readonly subscriber: RedisSubscriber,
    options: RedisBusOptions = {},
  ) {
    this.prefix = options.prefix ?? 'mcpkit:bus:';
    subscriber.on('message', (channel, message) => {
      for (const listener of this.listeners.get(channel) ?? []) listener(message);
    });
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.publisher.call('PUBLISH', this.prefix + channel, message);
  }

  async subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>> {
    const name = this.prefix + channel;
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
      await this.subscriber.subscribe(name);
    }
    set.add(listener);
    return async () => {
      const current = this.listeners.get(name);
      if (!current?.delete(listener) || current.size > 0) return;
      this.listeners.delete(name);
      await this.subscriber.unsubscribe(name);
    };
  }
}
