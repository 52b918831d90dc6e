import type { OperatorLogger } from '../engine/operator-log.js';
import type { IncomingRequest } from '../engine/peer.js';
import type { Principal } from '../engine/principal.js';
import type { Era, LegacyRevision, Revision, RevisionFeatures } from '../protocol/revisions.js';
import type { ClientCapabilities, Implementation, LoggingLevel } from '../protocol/schemas/index.js';
import type { InputAsker } from './input.js';
import type { RequestContext } from './request-context.js';

/** A legacy-era session: one per `initialize` (one per stdio process). */
export interface LegacySession {
  /** The HTTP session id, or the connection's key where the connection is the session (stdio). */
  id?: string;
  revision: LegacyRevision;
  features: RevisionFeatures;
  client: { info?: Implementation; capabilities: ClientCapabilities };
  /** Set by `logging/setLevel`; until then every level is sent. */
  logLevel: LoggingLevel;
  /** Resource URIs the client subscribed to with `resources/subscribe`. */
  subscriptions: Set<string>;
  /** `notifications/initialized` arrived: unsolicited notifications may flow. */
  initialized: boolean;
  notify(method: string, params?: Record<string, unknown>, options?: { fanout?: string }): Promise<void>;
  /** Its state changed (level, subscriptions, initialized): a shared session store saves it. */
  changed?(): void;
}

/** What of a legacy session outlives its connection: enough for any node to serve it. */
export interface SessionState {
  revision: LegacyRevision;
  client: { info?: Implementation; capabilities: ClientCapabilities };
  logLevel: LoggingLevel;
  subscriptions: string[];
  initialized: boolean;
}

/** Who sends a request: the key per-client bounds count, and the authenticated caller if any. */
export interface Caller {
  readonly clientKey: string;
  readonly principal?: Principal | undefined;
}

/** What the negotiation layer learned about one incoming request. Handlers never see the era. */
export interface RequestScope {
  era: Era;
  revision: Revision;
  features: RevisionFeatures;
  client: { info?: Implementation; capabilities: ClientCapabilities };
  /** Who sent the request, for per-client bounds (the transport's client key, or the connection). */
  clientKey: string;
  /** The authenticated caller, when the transport authenticates (HTTP with `auth`). */
  principal?: Principal;
  incoming: IncomingRequest;
  /** Lowest level sent as `notifications/message`; undefined sends none. */
  logLevel?: LoggingLevel;
  /** How server-to-client input is obtained: requests (legacy) or MRTR (modern). */
  asker: InputAsker;
  /** The legacy session this request belongs to; absent on modern requests. */
  session?: LegacySession;
  /** Tasks extension: present when this request may become a task (modern, client declared it). */
  tasks?: TaskHost;
  /** The server's operator log, before the request's fields are bound to it. */
  logger: OperatorLogger;
}

/** A handler's context together with the scope it was built from. */
export type ScopedContext = RequestContext & { readonly scope: RequestScope };

/** Starts tasks for `ctx.task(...)`. */
export interface TaskHost {
  startTask(ctx: ScopedContext, run: (ctx: RequestContext) => unknown): Promise<unknown>;
}
