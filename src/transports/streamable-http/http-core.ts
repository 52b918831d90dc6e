/**
 * The HTTP core's own request and answer: method, target, headers and a body in; status, headers
 * and a body (text or a stream) out. The fetch-style handler and the node:http adapter are both
 * thin shells over it, so Node pays for no web `Request`/`Response` bridge.
 */

import type { Principal } from '../../engine/principal.js';
import type { NetworkInfo } from '../../engine/telemetry.js';

/** Case-insensitive header lookup; a web `Headers` is one. */
export interface HeaderSource {
  get(name: string): string | null;
}

export interface HttpInput {
  method: string;
  /** The request target: a path with its query (node), or an absolute URL (fetch hosts). */
  url: string;
  headers: HeaderSource;
  /** The body's bytes, or null when there is none. */
  body: AsyncIterable<Uint8Array> | null;
  /**
   * The whole body at once, or undefined when it exceeds `maxBytes` (the rest is left unread).
   * Hosts that can collect a body cheaper than by async iteration (node:http) offer it.
   */
  readAll?(maxBytes: number): Promise<Uint8Array | undefined>;
  /** Registers what to do if the client goes away before its answer is complete. */
  onAbandon?(listener: () => void): void;
  /** The peer's address, for per-client bounds. */
  remoteAddress?: string;
  /** The peer's port, for telemetry (`client.port`). */
  remotePort?: number;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  /** Text (one write, with its length), a stream (SSE), or nothing. */
  body: string | ReadableStream<Uint8Array> | null;
}

/** What a fetch-style host knows of the peer, passed beside the web `Request`. */
export interface ConnInfo {
  remoteAddress?: string;
  /**
   * Aborts when the client goes away; default `request.signal`. The node adapter's bridge passes
   * it here rather than into the `Request`: an undici `Request` built with a signal kept ~2.5 KB
   * per request alive for as long as its keep-alive connection stayed open.
   */
  signal?: AbortSignal;
}

/**
 * Authenticates HTTP requests before anything else looks at them (`mcpkit/auth` makes one from
 * providers). A refusal is the whole answer: 401 with its challenge, or 403.
 */
export interface RequestAuthenticator {
  /** The caller or the refusal; at once when it needs no I/O (a cached token), else a promise. */
  authenticate(request: { headers: HeaderSource; url: string }): AuthVerdict | Promise<AuthVerdict>;
  /**
   * The headers of a 403 step-up challenge (`error="insufficient_scope"`) for a request refused
   * because the caller lacks `scopes`; a modern request refused so is answered 403 with them.
   */
  insufficientScope?(scopes: string[]): Record<string, string>;
}

/** What an authenticator decides about one request. */
export type AuthVerdict = { principal: Principal } | { refusal: HttpAnswer };

/** Who a request comes from, for per-client bounds: the host's address unless the user says otherwise. */
export type ClientKey = (request: { headers: HeaderSource }, info?: ConnInfo) => string;

/** The request's network, as telemetry records it (`network.*`, `client.address`/`client.port`). */
export function networkOf(input: HttpInput): NetworkInfo {
  return {
    transport: 'tcp',
    protocol: 'http',
    ...(input.remoteAddress ? { peerAddress: input.remoteAddress } : {}),
    ...(input.remotePort !== undefined ? { peerPort: input.remotePort } : {}),
  };
}

export function clientOf(input: HttpInput, custom?: ClientKey): string {
  const info = { remoteAddress: input.remoteAddress ?? '' };
  return custom ? custom(input, info) : info.remoteAddress;
}

/** A handler that also offers the core, for hosts that can serve it natively (node:http). */
export interface CoreHandler {
  (request: Request, info?: ConnInfo): Promise<Response>;
  answer(input: HttpInput): Promise<HttpAnswer>;
}

export const JSON_TYPE = { 'content-type': 'application/json' } as const;

export function answer(
  status: number,
  body: string | ReadableStream<Uint8Array> | null = null,
  headers: Record<string, string> = {},
): HttpAnswer {
  return { status, headers, body };
}

export function jsonAnswer(status: number, value: unknown, headers: Record<string, string> = {}): HttpAnswer {
  return { status, headers: { ...JSON_TYPE, ...headers }, body: JSON.stringify(value) };
}

/** A fetch-style request as the core's input. */
export function fromWebRequest(request: Request, info?: ConnInfo): HttpInput {
  const signal = info?.signal ?? request.signal;
  return {
    method: request.method,
    url: request.url,
    headers: request.headers,
    body: request.body as unknown as AsyncIterable<Uint8Array> | null,
    ...(signal
      ? { onAbandon: (listener) => signal.addEventListener('abort', listener, { once: true }) }
      : {}),
    ...(info?.remoteAddress !== undefined ? { remoteAddress: info.remoteAddress } : {}),
  };
}

export function toWebResponse(a: HttpAnswer): Response {
  return new Response(a.body, { status: a.status, headers: a.headers });
}

/** Wraps a core as a fetch-style handler that still offers the core itself. */
export function webHandler<T extends object>(
  core: (input: HttpInput) => Promise<HttpAnswer>,
  extra: T,
): CoreHandler & T {
  const handler = ((request: Request, info?: ConnInfo) =>
    core(fromWebRequest(request, info)).then(toWebResponse)) as CoreHandler & T;
  handler.answer = core;
  return Object.defineProperties(handler, Object.getOwnPropertyDescriptors(extra));
}
