/**
 * How nodes that share sessions tell each other things (`RedisBus` in mcpkit/redis): what a client
 * sent to one node for a request another node runs, events for a GET stream another node holds,
 * the end of a session. Delivery is best effort, at most once; what must not be lost also goes to
 * the event store.
 */
export interface Bus {
  publish(channel: string, message: string): Promise<void>;
  /** Calls `listener` for each message on `channel` until the returned function is called. */
  subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>>;
}
