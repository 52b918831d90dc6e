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
  /**
   * Event bytes kept per session; the oldest events of its least recently written stream go
   * first. Default 4 MiB.
   */
  maxBytesPerSession?: number;
}

/**
 * Appends one event and keeps every bound in the same round trip.
 * KEYS: 1 the stream; 2 the session's index of streams (a sorted set by last write); 3 the
 * session's event ids by key across nodes (a hash, emptied when it outgrows max events: copies of
 * one event arrive within moments); 4 the session's bytes per stream and in all (field `*`).
 * ARGV: 1 message, 2 max events per stream, 3 max age in ms, 4 stream id, 5 max streams, 6 the key
 * prefix of the session's streams, 7 '1' when the event has a key, 8 the key, 9 max bytes.
 * Every key shares the session's hash tag, so the script stays on one Cluster slot.
 */
const APPEND = `
if ARGV[7] == '1' then
  local seen = redis.call('HGET', KEYS[3], ARGV[8])
  if seen then return seen end
end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local cutoff = now - tonumber(ARGV[3])
local function forget(stream)
  redis.call('DEL', ARGV[6] .. stream)
  redis.call('ZREM', KEYS[2], stream)
  local held = tonumber(redis.call('HGET', KEYS[4], stream) or '0')
  redis.call('HDEL', KEYS[4], stream)
  redis.call('HINCRBY', KEYS[4], '*', 0 - held)
end
local function popOldest(stream)
  local first = redis.call('XRANGE', ARGV[6] .. stream, '-', '+', 'COUNT', 1)[1]
  if not first then
    forget(stream)
    return
  end
  redis.call('XDEL', ARGV[6] .. stream, first[1])
  local size = string.len(first[2][2])
  redis.call('HINCRBY', KEYS[4], stream, 0 - size)
  redis.call('HINCRBY', KEYS[4], '*', 0 - size)
end
-- Streams idle past the max age have expired: their bytes stop counting.
for _, old in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', cutoff)) do forget(old) end
local id = redis.call('XADD', KEYS[1], '*', 'm', ARGV[1])
redis.call('HINCRBY', KEYS[4], ARGV[4], string.len(ARGV[1]))
redis.call('HINCRBY', KEYS[4], '*', string.len(ARGV[1]))
redis.call('ZADD', KEYS[2], now, ARGV[4])
if ARGV[7] == '1' then
  if redis.call('HLEN', KEYS[3]) >= tonumber(ARGV[2]) then redis.call('DEL', KEYS[3]) end
  redis.call('HSET', KEYS[3], ARGV[8], id)
end
-- Bounds: events per stream, their age, streams per session, then bytes (least recent stream first).
while redis.call('XLEN', KEYS[1]) > tonumber(ARGV[2]) do popOldest(ARGV[4]) end
while true do
  local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
  if not first or tonumber(string.match(first[1], '^%d+')) >= cutoff then break end
  popOldest(ARGV[4])
end
local extra = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[5])
if extra > 0 then
  for _, old in ipairs(redis.call('ZRANGE', KEYS[2], 0, extra - 1)) do forget(old) end
end
while tonumber(redis.call('HGET', KEYS[4], '*') or '0') > tonumber(ARGV[9]) do
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
  if not oldest then break end
  popOldest(oldest)
end
for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
return id
`;

/**
 * Drops a session: every stream its index names, its event keys and byte counts, then the index.
 * KEYS: the index, the keys hash, the bytes hash; ARGV: stream key prefix.
 */
const DROP = `
for _, stream in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  redis.call('DEL', ARGV[1] .. stream)
end
redis.call('DEL', KEYS[2], KEYS[3])
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
  private readonly maxBytes: number;

  constructor(
    private readonly redis: RedisCommands,
    options: RedisEventStoreOptions = {},
  ) {
    this.prefix = options.prefix ?? 'mcpkit:ev:';
    this.maxEvents = options.maxEventsPerStream ?? 1000;
    this.maxAgeMs = options.maxAgeMs ?? 10 * 60_000;
    this.maxStreams = options.maxStreamsPerSession ?? 64;
    this.maxBytes = options.maxBytesPerSession ?? 4 * 1024 * 1024;
  }

  /** `prefix{session}:` — the hash tag keeps a session's keys on one Cluster slot. */
  private sessionPrefix(sessionId: string): string {
    return `${this.prefix}{${sessionId}}:`;
  }

  async append(
    sessionId: string,
    streamId: string,
    message: string,
    _client?: string,
    key?: string,
  ): Promise<string> {
    const base = this.sessionPrefix(sessionId);
    const entry = await this.redis.call(
      'EVAL',
      APPEND,
      4,
      `${base}s:${streamId}`,
      `${base}streams`,
      `${base}keys`,
      `${base}bytes`,
      message,
      this.maxEvents,
      this.maxAgeMs,
      streamId,
      this.maxStreams,
      `${base}s:`,
      key === undefined ? '0' : '1',
      key ?? '',
      this.maxBytes,
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
    await this.redis.call('EVAL', DROP, 3, `${base}streams`, `${base}keys`, `${base}bytes`, `${base}s:`);
  }
}
