/**
 * Where legacy-era SSE events wait for a client that reconnects with `Last-Event-ID`
 * (2025-11-25 transports, "Resumability and Redelivery"). Events belong to a stream of a session:
 * a replay never crosses into another stream or session, and ending a session drops all of its
 * streams at once.
 */
export interface EventStore {
  /**
   * Records one event of a session's stream; resolves with its event id. `client` is who the
   * session belongs to, for per-client bounds. `key`: the event's id across nodes that share the
   * session; a store shared by nodes records it once and answers every later append of that key
   * with the first one's event id (a store of one node may ignore it).
   */
  append(
    sessionId: string,
    streamId: string,
    message: string,
    client?: string,
    key?: string,
  ): Promise<string>;
  /**
   * Sends the events of the stream `lastEventId` names that came after it, if that id belongs to
   * `sessionId`; resolves with the stream's id, or undefined for an id this session never issued.
   */
  replayAfter(
    sessionId: string,
    lastEventId: string,
    send: (eventId: string, message: string) => void,
  ): Promise<string | undefined>;
  /** Forgets every stream of a session (it ended or expired). */
  dropSession(sessionId: string): Promise<void>;
  /** What it holds now, for metrics (`mcpkit.event_store.*`), when it can tell cheaply. */
  stats?(): { events: number; bytes: number };
}

export interface InMemoryEventStoreOptions {
  /** Newest events kept per stream. Default 1000. */
  maxEventsPerStream?: number;
  /** Event bytes kept per session; the session's oldest events go first. Default 4 MiB. */
  maxBytesPerSession?: number;
  /**
   * Event bytes kept for all sessions of one client; its least recently active session's oldest
   * events go first, so that one client cannot push every other client's events out. Default 16 MiB.
   */
  maxBytesPerClient?: number;
  /** Event bytes kept in all; the least recently active session's oldest events go first. Default 64 MiB. */
  maxBytes?: number;
}

type StoredEvent = [seq: number, message: string, bytes: number];

interface SessionLog {
  /** One counter per session: a stream's ids never repeat even after its events were evicted. */
  next: number;
  bytes: number;
  streams: Map<string, StoredEvent[]>;
  client: ClientLog;
}

interface ClientLog {
  key: string;
  bytes: number;
  /** This client's sessions, least recently appended first. */
  sessions: Map<string, SessionLog>;
}

/** Bytes an event holds: its JSON text (one byte per character for ASCII) plus bookkeeping. */
const sizeOf = (message: string) => message.length + 48;

/** In-process default, bounded in events per stream and in bytes per session, per client and in total. */
export class InMemoryEventStore implements EventStore {
  /** Least recently appended first: the order in which whole-store eviction takes sessions. */
  private readonly sessions = new Map<string, SessionLog>();
  private readonly clients = new Map<string, ClientLog>();
  private totalBytes = 0;
  private readonly perStream: number;
  private readonly perSession: number;
  private readonly perClient: number;
  private readonly maxBytes: number;

  constructor(options: InMemoryEventStoreOptions = {}) {
    this.perStream = options.maxEventsPerStream ?? 1000;
    this.perSession = options.maxBytesPerSession ?? 4 * 1024 * 1024;
    this.perClient = options.maxBytesPerClient ?? 16 * 1024 * 1024;
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  }

  /** What the store holds now (tests, metrics, soak runs). */
  stats(): { clients: number; sessions: number; streams: number; events: number; bytes: number } {
    let streams = 0;
    let events = 0;
    for (const log of this.sessions.values()) {
      streams += log.streams.size;
      for (const list of log.streams.values()) events += list.length;
    }
    return {
      clients: this.clients.size,
      sessions: this.sessions.size,
      streams,
      events,
      bytes: this.totalBytes,
    };
  }

  async append(sessionId: string, streamId: string, message: string, client = ''): Promise<string> {
    const log = this.touch(sessionId, client);
    let list = log.streams.get(streamId);
    if (!list) log.streams.set(streamId, (list = []));
    const seq = log.next++;
    const bytes = sizeOf(message);
    list.push([seq, message, bytes]);
    log.bytes += bytes;
    log.client.bytes += bytes;
    this.totalBytes += bytes;
    if (list.length > this.perStream) this.evict(log, streamId);
    while (log.bytes > this.perSession) this.evict(log);
    while (log.client.bytes > this.perClient) this.evictOldest(log.client.sessions);
    while (this.totalBytes > this.maxBytes) this.evictOldest(this.sessions);
    return `${streamId}_${seq}`;
  }

  /** The session's log, now the most recently active of the store and of its client. */
  private touch(sessionId: string, client: string): SessionLog {
    let log = this.sessions.get(sessionId);
    if (log) {
      this.sessions.delete(sessionId);
      log.client.sessions.delete(sessionId);
    } else {
      let owner = this.clients.get(client);
      if (!owner) this.clients.set(client, (owner = { key: client, bytes: 0, sessions: new Map() }));
      log = { next: 1, bytes: 0, streams: new Map(), client: owner };
    }
    this.sessions.set(sessionId, log);
    log.client.sessions.set(sessionId, log);
    return log;
  }

  /** Drops the oldest event of the least recently active session of `sessions`. */
  private evictOldest(sessions: Map<string, SessionLog>): void {
    const [id, log] = sessions.entries().next().value!;
    this.evict(log);
    if (log.streams.size === 0) this.forget(id, log);
  }

  async replayAfter(
    sessionId: string,
    lastEventId: string,
    send: (eventId: string, message: string) => void,
  ): Promise<string | undefined> {
    const cut = lastEventId.lastIndexOf('_');
    const seq = Number(lastEventId.slice(cut + 1));
    const log = this.sessions.get(sessionId);
    if (cut <= 0 || !Number.isSafeInteger(seq) || !log || seq >= log.next) return undefined;
    const streamId = lastEventId.slice(0, cut);
    const list = log.streams.get(streamId);
    if (!list) return undefined; // never issued in this session, or evicted whole
    for (const [n, message] of list) if (n > seq) send(`${streamId}_${n}`, message);
    return streamId;
  }

  async dropSession(sessionId: string): Promise<void> {
    const log = this.sessions.get(sessionId);
    if (!log) return;
    this.totalBytes -= log.bytes;
    log.client.bytes -= log.bytes;
    this.forget(sessionId, log);
  }

  private forget(sessionId: string, log: SessionLog): void {
    this.sessions.delete(sessionId);
    log.client.sessions.delete(sessionId);
    if (log.client.sessions.size === 0) this.clients.delete(log.client.key);
  }

  /** Drops the oldest event of a stream (default: of the session's oldest stream). */
  private evict(log: SessionLog, streamId = log.streams.keys().next().value): void {
    if (streamId === undefined) return;
    const list = log.streams.get(streamId)!;
    const dropped = list.shift();
    if (dropped) {
      log.bytes -= dropped[2];
      log.client.bytes -= dropped[2];
      this.totalBytes -= dropped[2];
    }
    if (list.length === 0) log.streams.delete(streamId);
  }
}
