import type { SessionState } from '../../server/scope.js';

export type { SessionState };

/** A stored legacy session: its state, and who may use it. */
export interface StoredSession {
  state: SessionState;
  /** The client key that opened it, for per-client bounds. */
  client: string;
  /** The principal that opened it (`principalKey`); only it may use the session. */
  owner?: string;
}

/**
 * Where legacy sessions live when several nodes serve one endpoint (`mcpkit/redis` has one): any
 * node serves any request of any session from what is stored here. Idle expiry is the store's:
 * every read restarts it, and a session unread for `idleMs` is gone everywhere.
 */
export interface SessionStore {
  save(sessionId: string, session: StoredSession, idleMs: number): Promise<void>;
  /** The session, its idle expiry restarted; undefined when unknown, expired or deleted. */
  load(sessionId: string, idleMs: number): Promise<StoredSession | undefined>;
  delete(sessionId: string): Promise<void>;
}
