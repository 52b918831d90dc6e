import type { IncomingRequest } from '../engine/peer.js';
import type { Era, Revision, RevisionFeatures } from '../protocol/revisions.js';
import type { ClientCapabilities, Implementation, LoggingLevel } from '../protocol/schemas/index.js';
import type { HandlerContext, RequestContext } from './context.js';
import type { LegacySession } from './core.js';
import type { InputAsker } from './input.js';

/** What the negotiation layer learned about one incoming request. Handlers never see the era. */
export interface RequestScope {
  era: Era;
  revision: Revision;
  features: RevisionFeatures;
  client: { info?: Implementation; capabilities: ClientCapabilities };
  /** Who sent the request, for per-client bounds (the transport's client key, or the connection). */
  clientKey: string;
  incoming: IncomingRequest;
  /** Lowest level sent as `notifications/message`; undefined sends none. */
  logLevel?: LoggingLevel;
  /** How server-to-client input is obtained: requests (legacy) or MRTR (modern). */
  asker: InputAsker;
  /** The legacy session this request belongs to; absent on modern requests. */
  session?: LegacySession;
  /** Tasks extension: present when this request may become a task (modern, client declared it). */
  tasks?: TaskHost;
}

/** Starts tasks for `ctx.task(...)`. */
export interface TaskHost {
  startTask(ctx: HandlerContext, run: (ctx: RequestContext) => unknown): Promise<unknown>;
}
