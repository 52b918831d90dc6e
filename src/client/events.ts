import type { LoggingLevel } from '../protocol/schemas/index.js';

/** Change and log events, the same for both eras (unsolicited or from a listen stream). */
export interface ClientEvents {
  toolsChanged: [];
  promptsChanged: [];
  resourcesChanged: [];
  resourceUpdated: [uri: string];
  log: [entry: { level: LoggingLevel; logger?: string; data: unknown }];
  /** The connection ended; with an error when it did not end cleanly. */
  close: [error?: Error];
  /** A request failed transiently and is sent again after `delayMs`. */
  retry: [info: { method: string; attempt: number; delayMs: number; error: Error }];
  /** The circuit breaker changed state. */
  circuit: [state: 'closed' | 'open' | 'half-open'];
}

export class Emitter<E extends { [K in keyof E]: unknown[] }> {
  private readonly listeners = new Map<keyof E, Set<(...args: any[]) => void>>();

  on<K extends keyof E>(event: K, listener: (...args: E[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<K extends keyof E>(event: K, ...args: E[K]): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        listener(...args);
      } catch {
        // A listener's failure must not break dispatch to the others or the connection.
      }
    }
  }
}
