const encoder = new TextEncoder();

export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
  retry?: number;
}

/** Formats one server-sent event (WHATWG HTML, "Server-sent events"). */
export function formatEvent(e: SseEvent): string {
  let out = '';
  if (e.event) out += `event: ${e.event}\n`;
  if (e.id !== undefined) out += `id: ${e.id}\n`;
  if (e.retry !== undefined) out += `retry: ${e.retry}\n`;
  for (const line of e.data.split('\n')) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** What an `SseStream` holds that its client has not read yet, at most, by default: 1 MiB. */
export const DEFAULT_MAX_STREAM_BACKLOG_BYTES = 1024 * 1024;
/**
 * How long a backlog past the bound may go unread. A handler that sends events without yielding
 * to the event loop (progress in a loop of awaits) queues them before any can reach the socket,
 * which Node writes only on the next tick: that burst is the server's own, not a stalled client.
 */
const STALL_MS = 5000;
/** Past this many times the bound, a backlog ends the stream however recently the client read. */
const HARD_BOUND_FACTOR = 16;

export interface SseStreamOptions {
  /** The reader went away (the client closed the connection, or read too slowly). */
  onCancel: () => void;
  /**
   * The stream ended, whichever side ended it (once); what a stream holds (a place under a stream
   * cap) is given back there.
   */
  onEnd?: () => void;
  keepAliveMs?: number;
  /**
   * Bytes of events the client has not read yet, past which the next event ends the stream
   * instead of queueing in memory, once the client has read nothing for 5 s (at once past 16
   * times the bound). One event of any size still goes out on a stream that keeps up.
   */
  maxBacklogBytes?: number;
  /** Told once when the stream ends for a client that reads too slowly. */
  onOverflow?: (backlogBytes: number) => void;
}

/**
 * A server-sent event stream. Writes after close are dropped; `onCancel` fires when the reader goes
 * away (the client closed the connection), which Streamable HTTP treats as cancellation. A client
 * that stops reading is treated the same once its backlog passes `maxBacklogBytes`: the events it
 * left unread are let go (a legacy client resumes them with Last-Event-ID) and the response ends.
 */
export class SseStream {
  readonly body: ReadableStream<Uint8Array>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private keepAlive?: ReturnType<typeof setInterval>;
  private readonly maxBacklog: number;
  /** Bytes of replayed events the bound admits on top of `maxBacklog`. */
  private allowance = 0;
  /** The backlog just after the last write: a smaller one at the next write means the client read. */
  private backlogAfterWrite = 0;
  /** When the backlog was last within the bound, or the client last read. */
  private movedAt = Date.now();
  /** While set: ids of events this stream carried, and every later event with one of them is skipped. */
  carried?: Set<string>;
  closed = false;

  constructor(private readonly options: SseStreamOptions) {
    this.maxBacklog = options.maxBacklogBytes ?? DEFAULT_MAX_STREAM_BACKLOG_BYTES;
    this.body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        cancel: () => {
          this.stop();
          options.onCancel();
        },
      },
      // The queue is measured in bytes: -desiredSize is what the reader has not taken yet.
      { highWaterMark: 0, size: (chunk) => chunk.byteLength },
    );
    // A comment line keeps idle connections open through proxies (2026-07-28 transports).
    if (options.keepAliveMs) this.keepAlive = setInterval(() => this.write(':\n\n'), options.keepAliveMs);
    this.keepAlive?.unref?.();
  }

  send(e: SseEvent): void {
    if (e.id !== undefined && this.carried) {
      if (this.carried.has(e.id)) return;
      this.carried.add(e.id);
    }
    this.write(formatEvent(e));
  }

  /**
   * Sends an event the client missed (a `Last-Event-ID` replay): it is queued before the client
   * can read anything, so it raises the bound instead of counting against it. The event store
   * bounds how much a replay holds; were it counted, a client owed more than the bound would be cut
   * off at every reconnection and never catch up.
   */
  replay(e: SseEvent): void {
    const before = this.closed ? 0 : -(this.controller.desiredSize ?? 0);
    this.send(e);
    if (!this.closed) this.allowance += -(this.controller.desiredSize ?? 0) - before;
  }

  private write(text: string): void {
    if (this.closed) return;
    const backlog = -(this.controller.desiredSize ?? 0);
    const bound = this.maxBacklog + this.allowance;
    if (backlog <= bound || backlog < this.backlogAfterWrite) this.movedAt = Date.now();
    else if (Date.now() - this.movedAt > STALL_MS || backlog > HARD_BOUND_FACTOR * bound) {
      this.overflow(backlog);
      return;
    }
    try {
      const chunk = encoder.encode(text);
      this.controller.enqueue(chunk);
      this.backlogAfterWrite = backlog + chunk.byteLength;
    } catch {
      this.stop();
    }
  }

  /** The client stopped reading: its backlog is dropped and the response ends, as if it had left. */
  private overflow(backlog: number): void {
    this.stop();
    this.controller.error(
      new Error(`The client read too slowly: ${backlog} bytes unread (maxStreamBacklogBytes)`),
    );
    this.options.onOverflow?.(backlog);
    this.options.onCancel();
  }

  close(): void {
    if (this.closed) return;
    this.stop();
    try {
      this.controller.close();
    } catch {
      // Already closed by the reader.
    }
  }

  private stop(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepAlive);
    this.options.onEnd?.();
  }
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  // Reverse proxies must not buffer the stream (2026-07-28 transports/streamable-http).
  'x-accel-buffering': 'no',
} as const;
