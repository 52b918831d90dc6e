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

/**
 * A server-sent event stream. Writes after close are dropped; `onCancel` fires when the reader goes
 * away (the client closed the connection), which Streamable HTTP treats as cancellation.
 */
export class SseStream {
  readonly body: ReadableStream<Uint8Array>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private keepAlive?: ReturnType<typeof setInterval>;
  /** While set: ids of events this stream carried, and every later event with one of them is skipped. */
  carried?: Set<string>;
  closed = false;

  /**
   * `onCancel`: the reader went away. `onEnd`: the stream ended, whichever side ended it (once);
   * what a stream holds (a place under a stream cap) is given back there.
   */
  constructor(
    private readonly onCancel: () => void,
    keepAliveMs?: number,
    private readonly onEnd?: () => void,
  ) {
    this.body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.controller = controller;
      },
      cancel: () => {
        this.stop();
        this.onCancel();
      },
    });
    // A comment line keeps idle connections open through proxies (2026-07-28 transports).
    if (keepAliveMs) this.keepAlive = setInterval(() => this.write(':\n\n'), keepAliveMs);
    this.keepAlive?.unref?.();
  }

  send(e: SseEvent): void {
    if (e.id !== undefined && this.carried) {
      if (this.carried.has(e.id)) return;
      this.carried.add(e.id);
    }
    this.write(formatEvent(e));
  }

  private write(text: string): void {
    if (this.closed) return;
    try {
      this.controller.enqueue(encoder.encode(text));
    } catch {
      this.stop();
    }
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
    this.onEnd?.();
  }
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  // Reverse proxies must not buffer the stream (2026-07-28 transports/streamable-http).
  'x-accel-buffering': 'no',
} as const;
