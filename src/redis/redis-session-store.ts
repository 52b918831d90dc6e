import { ErrorCode, McpError } from '../protocol/errors.js';
import type { SessionStore, StoredSession } from '../transports/streamable-http/session-store.js';
import type { RedisCommands } from './redis-commands.js';

export interface RedisSessionStoreOptions {
  /** Prefix of every key. Default `mcpkit:session:`. */
  prefix?: string;
  /** Largest stored session (client info, capabilities, subscriptions), in bytes of JSON. Default 64 KiB. */
  maxRecordBytes?: number;
}

/** Session ids are UUIDs; anything else names no session and never reaches Redis. */
const SESSION_ID = /^[0-9a-f-]{36}$/;

/**
 * Legacy sessions on Redis: one key per session that expires after `idleMs` unread (`GETEX`
 * restarts it on every request), so idle expiry holds on every node and DELETE ends a session
 * everywhere at once.
 */
export class RedisSessionStore implements SessionStore {
  private readonly prefix: string;
  private readonly maxBytes: number;

  constructor(
    private readonly redis: RedisCommands,
    options: RedisSessionStoreOptions = {},
  ) {
    this.prefix = options.prefix ?? 'mcpkit:session:';
    this.maxBytes = options.maxRecordBytes ?? 64 * 1024;
  }

  async save(sessionId: string, session: StoredSession, idleMs: number): Promise<void> {
    const json = JSON.stringify(session);
    if (json.length > this.maxBytes)
      throw new McpError(
        ErrorCode.Overloaded,
        `The session is larger than maxRecordBytes (${this.maxBytes}); raise RedisSessionStore maxRecordBytes`,
        { limit: 'maxRecordBytes' },
      );
    await this.redis.call('SET', this.prefix + sessionId, json, 'PX', idleMs);
  }

  async load(sessionId: string, idleMs: number): Promise<StoredSession | undefined> {
    if (!SESSION_ID.test(sessionId)) return undefined;
    const json = await this.redis.call('GETEX', this.prefix + sessionId, 'PX', idleMs);
    return typeof json === 'string' ? (JSON.parse(json) as StoredSession) : undefined;
  }

  async delete(sessionId: string): Promise<void> {
    if (SESSION_ID.test(sessionId)) await this.redis.call('DEL', this.prefix + sessionId);
  }
}
