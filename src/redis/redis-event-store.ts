import type { EventStore } from '../transports/streamable-http/event-store.js';
import type { RedisCommands } from './redis-commands.js';

export interface RedisEventStoreOptions {
  /** Prefix of every key. Default `mcpkit:ev:`. */
  prefix?: string;
  /** Newest events kept per stream (exact trim). Default 1,000. */
  maxEventsPerStream?: number;
  /** Events older than this are trimmed, and a stream idle this long expires. Default 10 minutes. */
  maxAgeMs?: number;
  /** Streams kept per session; the least recently written go first. Default 64. */
  maxStreamsPerSession?: number;
}

/**
 * Appends one event and keeps every bound in the same round trip. KEYS: the stream, the session's
 * index of streams (a sorted set by last write). ARGV: message, max events, max age in ms, stream
 * id, max streams, the key prefix of the session's streams. Both keys share the session's hash
 * tag, so the script stays on one Cluster slot.
 */
const APPEND = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local id = redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[2], '*', 'm', ARGV[1])
redis.call('XTRIM', KEYS[1], 'MINID', tostring(now - tonumber(ARGV[3])))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('ZADD', KEYS[2], now, ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
local extra = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[5])
if extra > 0 then
  for _, old in ipairs(redis.call('ZRANGE', KEYS[2], 0, extra - 1)) do
    redis.call('DEL', ARGV[6] .. old)
    redis.call('ZREM', KEYS[2], old)
  end
end
return id
`;

/** Drops a session: every stream its index names, then the index. KEYS: the index; ARGV: stream key prefix. */
const DROP = `
for _, stream in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  redis.call('DEL', ARGV[1] .. stream)
end
return redis.call('DEL', KEYS[1])
`;

/** Event ids are `<stream>_<Redis entry id>`; a stream id is the handler's own short token. */
const STREAM_ID = /^[A-Za-z0-9.-]{1,64}$/;
const ENTRY_ID = /^\d{1,20}-\d{1,20}$/;

/**
 * Legacy SSE events on Redis Streams, so that a client resumes with `Last-Event-ID` on any node:
 * one stream per SSE stream of a session, trimmed by count and age, expiring when idle, at most
 * `maxStreamsPerSession` per session. A replay reads only streams of the session asking.
 */
export class RedisEventStore implements EventStore {
  private readonly prefix: string;
  private readonly maxEvents: number;
  private readonly maxAgeMs: number;
  private readonly maxStreams: number;

  constructor(
    private readonly redis: RedisCommands,
    options: RedisEventStoreOptions = {},
  ) {
    this.prefix = options.prefix ?? 'mcpkit:ev:';
    this.maxEvents = options.maxEventsPerStream ?? 1000;
    this.maxAgeMs = options.maxAgeMs ?? 10 * 60_000;
    this.maxStreams = options.maxStreamsPerSession ?? 64;
  }

  /** `prefix{session}:` — the hash tag keeps a session's keys on one Cluster slot. */
  private sessionPrefix(sessionId: string): string {
    return `${this.prefix}{${sessionId}}:`;
  }

  async append(sessionId: string, streamId: string, message: string, _client?: string): Promise<string> {
    const base = this.sessionPrefix(sessionId);
    const entry = await this.redis.call(
      'EVAL',
      APPEND,
      2,
      `${base}s:${streamId}`,
      `${base}streams`,
      message,
      this.maxEvents,
      this.maxAgeMs,
      streamId,
      this.maxStreams,
      `${base}s:`,
    );
    return `${streamId}_${String(entry)}`;
  }

  async replayAfter(
    sessionId: string,
    lastEventId: string,
    send: (eventId: string, message: string) => void,
  ): Promise<string | undefined> {
    const cut = lastEventId.lastIndexOf('_');
    const streamId = lastEventId.slice(0, cut);
    const entry = lastEventId.slice(cut + 1);
    // The header is the client's text: anything but an id this store could have issued is unknown.
    if (cut <= 0 || !STREAM_ID.test(streamId) || !ENTRY_ID.test(entry)) return undefined;
    const key = `${this.sessionPrefix(sessionId)}s:${streamId}`;
    const entries = (await this.redis.call('XRANGE', key, `(${entry}`, '+', 'COUNT', this.maxEvents)) as [
      string,
      string[],
    ][];
    if (entries.length === 0 && Number(await this.redis.call('EXISTS', key)) === 0) return undefined;
    for (const [id, fields] of entries) send(`${streamId}_${id}`, fields[1] ?? '');
    return streamId;
  }

  async dropSession(sessionId: string): Promise<void> {
    const base = this.sessionPrefix(sessionId);
    await this.redis.call('EVAL', DROP, 1, `${base}streams`, `${base}s:`);
  }
}
