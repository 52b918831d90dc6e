import type { IncomingRequest } from '../engine/peer.js';
import { Peer, type PeerOptions } from '../engine/peer.js';
import type { Principal } from '../engine/principal.js';
import type { SessionSpan } from '../engine/telemetry.js';
import type { Transport } from '../engine/transport.js';
import { ErrorCode, McpError } from '../protocol/errors.js';
import type { JsonRpcMessage, JsonRpcNotification } from '../protocol/jsonrpc.js';
import { META } from '../protocol/meta.js';
import { featuresOf, type LegacyRevision, requestEra } from '../protocol/revisions.js';
import type { ClientCapabilities, Implementation } from '../protocol/schemas/index.js';
import type { ServerRuntime, SessionConnection } from './core.js';
import {
  assumedSession,
  refuseSessionless,
  serveInitialize,
  serveInSession,
  serveModern,
} from './dispatch.js';
import type { Caller, LegacySession, SessionState } from './scope.js';

let connections = 0;

/** A client's connection, as `McpServer.connect` and `onRootsListChanged` show it. */
export interface ServerConnection {
  /** Who this connection serves, as the per-client limits count it. */
  readonly clientKey: string;
  /** The revision `initialize` negotiated; undefined before it, and on a modern-only connection. */
  readonly protocolVersion: LegacyRevision | undefined;
  /** What the client said of itself in `initialize`. */
  readonly clientInfo: Implementation | undefined;
  readonly clientCapabilities: ClientCapabilities | undefined;
  /** Closes the transport; requests still running see their signal abort. */
  close(): Promise<void>;
}

/** What the runtime learns of a connection's life. */
export interface ConnectionHooks {
  onClose(connection: Connection): void;
  onRootsChanged(connection: Connection): void;
}

/**
 * One transport connection to one client. The era of each request is decided here and only here:
 * a request with a modern protocol version in `_meta` is served statelessly; anything else belongs
 * to the legacy session that `initialize` opened on this connection.
 */
export class Connection implements SessionConnection, ServerConnection, Caller {
  readonly peer: Peer;
  session?: LegacySession;
  /** Set while initialize runs, so that pipelined requests wait for the session it opens. */
  private initializing?: Promise<unknown>;
  /** The session's span and duration, when telemetry is on. */
  private sessionSpan?: SessionSpan;
  /** Who this connection serves, for per-client bounds. */
  readonly clientKey: string;

  /** The caller the transport last authenticated (HTTP with `auth`). */
  get principal(): Principal | undefined {
    return this.transport.principal;
  }
  get protocolVersion(): LegacyRevision | undefined {
    return this.session?.revision;
  }
  get clientInfo(): Implementation | undefined {
    return this.session?.client.info;
  }
  get clientCapabilities(): ClientCapabilities | undefined {
    return this.session?.client.capabilities;
  }
  close(): Promise<void> {
    return this.peer.close();
  }

  constructor(
    private readonly server: ServerRuntime,
    private readonly transport: Transport,
    peerOptions: PeerOptions,
    private readonly hooks: ConnectionHooks,
  ) {
    this.clientKey = transport.clientKey ?? `connection:${++connections}`;
    this.peer = new Peer(
      transport,
      {
        onRequest: (incoming) => this.onRequest(incoming),
        onNotification: (n) => this.onNotification(n),
        onClose: (error) => {
          this.sessionSpan?.end(error);
          this.hooks.onClose(this);
        },
        batchPolicy: (items) => this.batchPolicy(items),
      },
      peerOptions,
    );
  }

  /** Not async, like the functions it calls: each layer's promise would be one more per request. */
  private onRequest(incoming: IncomingRequest): Promise<Record<string, unknown>> {
    const version = (incoming.message.params?._meta as Record<string, unknown> | undefined)?.[
      META.protocolVersion
    ];
    // A request naming its version in _meta is modern; initialize among them is a removed method.
    if (requestEra(version) === 'modern') return serveModern(this.server, incoming, version, this);
    return this.serveLegacy(incoming);
  }

  private serveLegacy(incoming: IncomingRequest): Promise<Record<string, unknown>> {
    const { method } = incoming.message;
    if (method === 'initialize') {
      if (this.session || this.initializing)
        throw new McpError(ErrorCode.InvalidRequest, 'The session is already initialized');
      const opening = this.initialize(incoming);
      this.initializing = opening.then(
        () => (this.initializing = undefined),
        () => (this.initializing = undefined),
      );
      return opening;
    }
    if (method === 'ping') return Promise.resolve({});
    // Pipelined behind initialize: served once the session it opens exists.
    if (!this.session && this.initializing)
      return this.initializing.then(() => this.serveInSession(incoming));
    return this.serveInSession(incoming);
  }

  private serveInSession(incoming: IncomingRequest): Promise<Record<string, unknown>> {
    const session = this.session;
    if (!session) throw refuseSessionless(incoming.message.method);
    return serveInSession(this.server, session, incoming, this);
  }

  /** Legacy lifecycle: agree on a revision (the client's if served, else our newest) and open the session. */
  private async initialize(incoming: IncomingRequest): Promise<Record<string, unknown>> {
    const { result, opened } = await serveInitialize(this.server, incoming, this);
    this.session = {
      ...opened,
      id: this.transport.sessionId ?? this.clientKey,
      notify: (m, p, o) => this.peer.notify(m, p, o),
    };
    this.peer.protocolVersion = opened.revision;
    this.sessionSpan = this.server.telemetry?.session('server', opened.revision, this.transport.network);
    this.watch(this.session, true);
    return result;
  }

  /** A session opened on another node: its state from the shared store, served here. */
  restoreSession(state: SessionState): void {
    const session = this.session;
    if (session) {
      // Already served here: take the store's newer state (another node may have changed it).
      session.logLevel = state.logLevel;
      session.subscriptions = new Set(state.subscriptions);
      session.initialized = state.initialized;
      return;
    }
    this.session = {
      revision: state.revision,
      features: featuresOf(state.revision),
      client: state.client,
      logLevel: state.logLevel,
      subscriptions: new Set(state.subscriptions),
      initialized: state.initialized,
      id: this.transport.sessionId ?? this.clientKey,
      notify: (m, p, o) => this.peer.notify(m, p, o),
    };
    this.peer.protocolVersion = state.revision;
    this.watch(this.session, false);
  }

  /** Tells a sharing transport about every change of the session's state. */
  private watch(session: LegacySession, saveNow: boolean): void {
    const transport = this.transport;
    if (!transport.sessionChanged) return;
    session.changed = () =>
      transport.sessionChanged!({
        revision: session.revision,
        client: session.client,
        logLevel: session.logLevel,
        subscriptions: [...session.subscriptions],
        initialized: session.initialized,
      } satisfies SessionState);
    if (saveNow) session.changed();
  }

  /** Stateless legacy HTTP: serve requests as if `initialize` had opened a session at `revision`. */
  assumeSession(revision: LegacyRevision): void {
    this.session = assumedSession(revision, (m, p) => this.peer.notify(m, p));
    this.peer.protocolVersion = revision;
  }

  private onNotification(notification: JsonRpcNotification): void {
    if (notification.method === 'notifications/initialized' && this.session && !this.session.initialized) {
      this.session.initialized = true;
      this.session.changed?.();
    } else if (notification.method === 'notifications/roots/list_changed') this.hooks.onRootsChanged(this);
  }

  /** JSON-RPC batches exist only in 2025-03-26, and never carry initialize. */
  private async batchPolicy(items: JsonRpcMessage[]): Promise<string | undefined> {
    if (!this.session && this.initializing) await this.initializing;
    const revision = this.session?.revision;
    if (!revision || !featuresOf(revision).batches) {
      return `JSON-RPC batches are not supported${revision ? ` by protocol revision ${revision}` : ' before initialize'}`;
    }
    if (items.some((m) => 'method' in m && m.method === 'initialize'))
      return 'initialize must not be part of a batch';
    return undefined;
  }
}
