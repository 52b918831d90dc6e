import type { Bus } from '../engine/bus.js';

/** What the bus needs of a NATS connection (`connect()` from `@nats-io/transport-node` 3.x). */
export interface NatsConnectionLike {
  publish(subject: string, payload?: string | Uint8Array): void;
  subscribe(
    subject: string,
    options: { callback: (error: Error | null, message: { string(): string }) => void },
  ): { unsubscribe(): void };
}

export interface NatsBusOptions {
  /** Prefix of every subject. Default `mcpkit.bus.`. */
  prefix?: string;
}

/**
 * Core NATS subjects between nodes, one per bus channel: at most once, like the bus contract says
 * (what must not be lost goes to the event store; JetStream would add storage the bus does not
 * need). The connection is the caller's, and reconnects by itself; a message published while it is
 * away is buffered by the client up to its reconnect buffer, then dropped.
 */
export class NatsBus implements Bus {
  private readonly prefix: string;
  private readonly subscriptions = new Map<
    string,
    { unsubscribe(): void; listeners: Set<(message: string) => void> }
  >();

  constructor(
    private readonly connection: NatsConnectionLike,
    options: NatsBusOptions = {},
  ) {
    this.prefix = options.prefix ?? 'mcpkit.bus.';
  }

  /**
   * A channel as one subject: `session:<id>` becomes `<prefix>session.<id>`. Characters NATS gives
   * a meaning to (`.`, `*`, `>`, whitespace) are escaped, so no channel name can become a wildcard
   * or reach another channel's subject.
   */
  private subject(channel: string): string {
    const escaped = channel.replace(/[.*>\s%]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
    return this.prefix + escaped.replaceAll(':', '.');
  }

  async publish(channel: string, message: string): Promise<void> {
    this.connection.publish(this.subject(channel), message);
  }

  async subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>> {
    const subject = this.subject(channel);
    let entry = this.subscriptions.get(subject);
    if (!entry) {
      const listeners = new Set<(message: string) => void>();
      const subscription = this.connection.subscribe(subject, {
        callback: (error, message) => {
          if (error) return;
          const text = message.string();
          for (const l of listeners) l(text);
        },
      });
      entry = { unsubscribe: () => subscription.unsubscribe(), listeners };
      this.subscriptions.set(subject, entry);
    }
    entry.listeners.add(listener);
    return async () => {
      const current = this.subscriptions.get(subject);
      if (!current?.listeners.delete(listener) || current.listeners.size > 0) return;
      this.subscriptions.delete(subject);
      current.unsubscribe();
    };
  }
}
