import type { Principal } from '../../engine/principal.js';
import type { NetworkInfo } from '../../engine/telemetry.js';
import type { SendOptions, SessionSnapshot, Transport, TransportSink } from '../../engine/transport.js';
import { ErrorCode } from '../../protocol/errors.js';
import { type Decoded, encode, messagesOf, type RequestId } from '../../protocol/jsonrpc.js';
import type { SessionState } from '../../server/scope.js';
import type { EventStore } from './event-store.js';
import type { Exchange } from './exchange.js';
import type { SseStream } from './sse.js';

/** Frames the HTTP handler feeds to a server connection, and how it tells the peer to cancel. */
export abstract class HttpTransport implements Transport {
  protected sink?: TransportSink;
  closed = false;
  /** The caller the last request on this transport proved to be. */
  principal: Principal | undefined;
  /** How the client that opened it connects, for telemetry. */
  network?: NetworkInfo;

  constructor(readonly clientKey: string) {}

  async start(sink: TransportSink): Promise<void> {
    this.sink = sink;
  }

  /** A message for the server: text, or what the handler already decoded from the body. */
  deliver(frame: string | Decoded): void {
    if (typeof frame === 'string') this.sink?.onFrame(frame);
    else if (this.sink?.onDecoded) this.sink.onDecoded(frame);
    else if (frame.kind !== 'invalid')
      this.sink?.onFrame(encode(frame.kind === 'message' ? frame.message : messagesOf(frame)));
  }

  /** Streamable HTTP: a closed response stream cancels its requests. */
  cancel(ids: RequestId[]): void {
    for (const requestId of ids) {
      this.deliver({
        kind: 'message',
        message: {
          jsonrpc: '2.0',
          method: 'notifications/cancelled',
          params: { requestId, reason: 'The client closed the response stream' },
        },
      });
    }
  }

  abstract send(frame: string, options?: SendOptions): Promise<void>;

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.sink?.onClose();
  }
}

/** One POST, one connection: modern requests and stateless legacy ones. Closes with its answer. */
export class ExchangeTransport extends HttpTransport {
  exchange?: Exchange;

  async send(frame: string, options?: SendOptions): Promise<void> {
    const exchange = this.exchange;
    if (!exchange) return;
    exchange.deliver(frame, options?.kind, options?.relatedRequestId, options?.errorCode);
    if (exchange.finished) void this.close();
  }

  /** A connection closed before its answer (server shutdown) still answers its POST. */
  override async close(): Promise<void> {
    this.exchange?.fail(CLOSED_BEFORE_ANSWER);
    await super.close();
  }
}

const CLOSED_BEFORE_ANSWER = {
  code: ErrorCode.ConnectionClosed,
  message: 'The connection closed before the request was answered',
};

/** A legacy session's connection: answers go to their POST, everything else to the GET stream. */
export class SessionTransport extends HttpTransport {
  readonly exchanges = new Map<RequestId, Exchange>();
  /** POST streams by stream id, so that a GET with Last-Event-ID can take over the right one. */
  readonly resumable = new Map<string, Exchange>();
  readonly streams: SseStream[] = [];
  lastActivity = Date.now();
  private streamCount = 0;
  /** The session is shared between nodes: closing this copy leaves its events to the others. */
  shared = false;
  /** Saves the session's state (a shared session store); `saving` is the latest save. */
  persist?: (state: SessionState) => Promise<void>;
  saving?: Promise<void>;
  /** With no GET stream here, sends an unsolicited event to the node that holds one (a bus). */
  relay?: (frame: string, eventId: string | undefined) => void;
  /** Undoes what tied this copy to the others (its bus subscription), when it closes. */
  detach?: () => Promise<void>;

  constructor(
    readonly sessionId: string,
    clientKey: string,
    private readonly events?: EventStore,
    private readonly streamPrefix = 'p',
  ) {
    super(clientKey);
  }

  /** The connection reports the server's SessionState; the engine only passes it through. */
  sessionChanged(state: SessionSnapshot): void {
    if (this.persist && !this.relaying) this.saving = this.persist(state as unknown as SessionState);
  }

  /** True while a message another node relayed is delivered here. */
  private relaying = false;

  /**
   * A message the client sent to another node (`notifications/initialized`, an answer, a
   * cancellation), heard here too. That node saves any change it makes to the session; this copy
   * only follows it. Saving here as well raced with that node's next save: the stale copy could
   * land last and drop, say, the subscription the client made there right after.
   */
  deliverRelayed(frame: string): void {
    this.relaying = true;
    try {
      this.deliver(frame);
    } finally {
      this.relaying = false;
    }
  }

  /** A new POST stream's id within this session. */
  nextStreamId(): string {
    return `${this.streamPrefix}${++this.streamCount}`;
  }

  /** Records an event of one of this session's streams for resumption (`key`: see EventStore). */
  record(streamId: string, frame: string, key?: string): Promise<string | undefined> {
    return this.events
      ? this.events.append(this.sessionId, streamId, frame, this.clientKey, key)
      : Promise.resolve(undefined);
  }

  /**
   * A request the client cancels gets no answer (MCP cancellation), but its POST must still end:
   * without this, the response would stay open and the session never become idle.
   */
  override deliver(frame: string | Decoded): void {
    super.deliver(frame);
    if (typeof frame === 'string' || frame.kind === 'invalid') return;
    if (frame.kind === 'message' && !isCancellation(frame.message)) return;
    for (const m of messagesOf(frame)) {
      if (!isCancellation(m)) continue;
      const id = (m as { params?: { requestId?: unknown } }).params?.requestId;
      if (typeof id !== 'string' && typeof id !== 'number') continue;
      const exchange = this.exchanges.get(id);
      if (!exchange) continue;
      this.exchanges.delete(id);
      exchange.drop(id);
    }
  }

  /** Nothing in flight and no stream open: the session may expire or make room for another. */
  get idle(): boolean {
    return this.streams.length === 0 && this.exchanges.size === 0;
  }

  /** Not async: an answer to a POST is delivered at once, and only an unsolicited message waits. */
  send(frame: string, options?: SendOptions): Promise<void> {
    const id = options?.relatedRequestId;
    const exchange = id === undefined ? undefined : this.exchanges.get(id);
    if (exchange && !exchange.finished) {
      exchange.deliver(frame, options?.kind, id, options?.errorCode);
      if (options?.kind === 'response') this.exchanges.delete(id!);
      // A batch's answer answers every request of its POST.
      if (options?.kind === 'batch') for (const i of exchange.ids) this.exchanges.delete(i);
      return DELIVERED;
    }
    if (options?.kind === 'response' || options?.kind === 'batch') return DELIVERED; // its POST is gone
    return this.sendUnsolicited(frame, options);
  }

  /** Unsolicited: the newest GET stream takes it; with an event store it also waits for a resume. */
  private async sendUnsolicited(frame: string, options: SendOptions | undefined): Promise<void> {
    const fanout = this.shared ? options?.fanout : undefined;
    const eventId = await this.record(STANDALONE_STREAM, frame, fanout);
    if (this.streams.length > 0) this.pushToStream(frame, eventId);
    // A server-wide notification: every node sends it to its own copy, and records it (once, by
    // its key), so it is replayed even while no node holds the stream; the holder delivers it.
    else if (fanout === undefined) this.relay?.(frame, eventId);
  }

  /** An unsolicited event (from this node, or relayed by another): to the newest GET stream, if any. */
  pushToStream(frame: string, eventId: string | undefined): void {
    this.streams
      .at(-1)
      ?.send({ event: 'message', data: frame, ...(eventId !== undefined ? { id: eventId } : {}) });
  }

  /** A POST stream a GET may resume until it ends (`untrack`, called when its exchange settles). */
  track(streamId: string, exchange: Exchange): void {
    this.resumable.set(streamId, exchange);
  }

  untrack(streamId: string): void {
    this.resumable.delete(streamId);
  }

  removeStream(stream: SseStream): void {
    const i = this.streams.indexOf(stream);
    if (i >= 0) this.streams.splice(i, 1);
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    for (const stream of this.streams.splice(0)) stream.close();
    for (const exchange of this.exchanges.values()) exchange.fail(CLOSED_BEFORE_ANSWER);
    this.exchanges.clear();
    this.resumable.clear();
    // Every stream of the session goes with it: its own GET stream and each POST stream. A
    // shared session's events stay for the other nodes (DELETE drops them everywhere).
    if (!this.shared) await this.events?.dropSession(this.sessionId);
    await this.detach?.().catch(() => {});
    await super.close();
  }
}

function isCancellation(message: unknown): boolean {
  return (message as { method?: unknown }).method === 'notifications/cancelled';
}

/** What `send` returns when it delivered at once. */
const DELIVERED: Promise<void> = Promise.resolve();

/** The stream id of a session's unsolicited messages (the GET stream). */
export const STANDALONE_STREAM = 'g';
