import type { Decoded, JsonRpcMessage, RequestId } from '../protocol/jsonrpc.js';
import type { Principal } from './principal.js';
import type { NetworkInfo } from './telemetry.js';

/**
 * A transport moves text frames, one JSON-RPC message or batch each. Parsing, limits and
 * correlation live in the Peer, so every transport gets the same bounds and error answers.
 */
export interface Transport {
  /**
   * Who is at the other end, for per-client bounds (HTTP: the remote address, or what the
   * handler's `clientKey` option says). Absent: the connection itself is the client (stdio).
   */
  readonly clientKey?: string;
  /**
   * Who the last request on this transport proved to be (authenticated HTTP); each request on a
   * session is checked against the session's owner before it arrives here.
   */
  readonly principal?: Principal;
  /** The legacy session this transport carries (Streamable HTTP's `Mcp-Session-Id`), if it has an id. */
  readonly sessionId?: string;
  /** How it reaches the peer, for telemetry (`network.transport`, the peer's address). */
  readonly network?: NetworkInfo;
  /**
   * The legacy session on this transport opened or changed (`initialize`, level, subscriptions):
   * a transport that shares sessions between nodes saves the state here.
   */
  sessionChanged?(state: SessionSnapshot): void;
  start(sink: TransportSink): Promise<void>;
  send(frame: string, options?: SendOptions): Promise<void>;
  close(): Promise<void>;
}

/** A legacy session's state as a transport sees it (the server's `SessionState`, kept opaque here). */
export type SessionSnapshot = Readonly<Record<string, unknown>>;

export interface TransportSink {
  onFrame(frame: string): void;
  /** A frame the transport has already decoded (HTTP reads a body to route it): never decoded twice. */
  onDecoded?(decoded: Decoded): void;
  /** The transport ended; `error` says why when it did not end cleanly. */
  onClose(error?: Error): void;
}

export interface SendOptions {
  /**
   * The incoming request this message belongs to (a response, or a progress or log notification
   * sent while handling it). Per-request transports such as Streamable HTTP route by it.
   */
  relatedRequestId?: RequestId;
  /** What the frame holds, so that a transport need not parse it to route it. */
  kind?: 'request' | 'notification' | 'response' | 'batch';
  /** The JSON-RPC error code when the frame is an error response (HTTP derives its status from it). */
  errorCode?: number;
  /**
   * An unsolicited message every node sends to its own copy of a shared session (a server-wide
   * notification), with the id of that notification: each copy records it under that id (stored
   * once, so a resume through any node replays it once) and only a copy whose client listens
   * here delivers it live.
   */
  fanout?: string;
  /** The message the frame encodes, for transports that read it (HTTP client headers): never re-parse. */
  message?: JsonRpcMessage | JsonRpcMessage[];
}
