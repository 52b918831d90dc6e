import type { NetworkInfo } from '../../engine/telemetry.js';
import type { SendOptions, Transport, TransportSink } from '../../engine/transport.js';
import { httpNetwork } from '../streamable-http/network.js';
import { readEvents } from '../streamable-http/sse-reader.js';

export interface LegacySseClientOptions {
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  /** The longest SSE line or event accepted, in characters; longer closes the stream. Default 10 Mi. */
  maxMessageLength?: number;
}

/**
 * The 2024-11-05 HTTP+SSE transport, client side: one GET event stream for everything the server
 * sends; each message is POSTed to the URL the first `endpoint` event names.
 */
export class LegacySseClientTransport implements Transport {
  private sink?: TransportSink;
  private endpoint?: URL;
  private readonly controller = new AbortController();
  private readonly fetchImpl: typeof fetch;
  readonly network: NetworkInfo;

  constructor(
    readonly url: URL | string,
    private readonly options: LegacySseClientOptions = {},
  ) {
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.network = httpNetwork(url);
  }

  async start(sink: TransportSink): Promise<void> {
    this.sink = sink;
    const response = await this.fetchImpl(this.url, {
      headers: { accept: 'text/event-stream', ...this.options.headers },
      signal: this.controller.signal,
    });
    if (!response.ok || !response.body) throw new Error(`The SSE endpoint answered HTTP ${response.status}`);
    const events = readEvents(response.body, this.options.maxMessageLength);
    let first = await events.next();
    // A block with only `retry` (or an empty one) may come before the endpoint.
    while (!first.done && first.value.event === undefined && !first.value.data) first = await events.next();
    if (first.done || first.value.event !== 'endpoint')
      throw new Error('The SSE stream did not begin with an endpoint event');
    this.endpoint = new URL(first.value.data, this.url);
    if (this.endpoint.origin !== new URL(this.url).origin)
      throw new Error('The endpoint event names another origin');
    void (async () => {
      try {
        for await (const event of events)
          if ((event.event ?? 'message') === 'message' && event.data) this.sink?.onFrame(event.data);
        this.sink?.onClose(new Error('The SSE stream ended'));
      } catch (error) {
        if (!this.controller.signal.aborted) this.sink?.onClose(error as Error);
      }
    })();
  }

  async send(frame: string, _options?: SendOptions): Promise<void> {
    if (!this.endpoint) throw new Error('The transport is not started');
    const response = await this.fetchImpl(this.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...this.options.headers },
      body: frame,
    });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`POST ${this.endpoint.pathname} answered HTTP ${response.status}`);
  }

  async close(): Promise<void> {
    if (this.controller.signal.aborted) return;
    this.controller.abort();
    this.sink?.onClose();
  }
}
