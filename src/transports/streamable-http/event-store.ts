/**
 * Where legacy-era SSE events wait for a client that reconnects with `Last-Event-ID`
 * (2025-11-25 transports, "Resumability and Redelivery"). An event id names its stream, so a
 * replay never crosses into another stream or session.
 */
export interface EventStore {
  append(streamId: string, message: string): Promise<string>;
  /** Sends the events after `lastEventId` on its own stream; resolves with that stream's id. */
  replayAfter(
    lastEventId: string,
    send: (eventId: string, message: string) => void,
  ): Promise<string | undefined>;
  /** Forgets a stream (its session ended). */
  drop(streamId: string): Promise<void>;
}

/**
 * In-process default: the newest `perStream` events of at most `maxStreams` streams (the oldest
 * stream is forgotten first), so a long session cannot grow it without bound.
 */
export class InMemoryEventStore implements EventStore {
  private readonly streams = new Map<string, { next: number; events: Array<[number, string]> }>();

  constructor(
    private readonly perStream = 1000,
    private readonly maxStreams = 10_000,
  ) {}

  async append(streamId: string, message: string): Promise<string> {
    let stream = this.streams.get(streamId);
    if (!stream) {
      if (this.streams.size >= this.maxStreams) this.streams.delete(this.streams.keys().next().value!);
      this.streams.set(streamId, (stream = { next: 1, events: [] }));
    }
    const seq = stream.next++;
    stream.events.push([seq, message]);
    if (stream.events.length > this.perStream) stream.events.shift();
    return `${streamId}_${seq}`;
  }

  async replayAfter(
    lastEventId: string,
    send: (eventId: string, message: string) => void,
  ): Promise<string | undefined> {
    const cut = lastEventId.lastIndexOf('_');
    const streamId = lastEventId.slice(0, cut);
    const seq = Number(lastEventId.slice(cut + 1));
    const stream = this.streams.get(streamId);
    if (cut < 0 || !stream || !Number.isSafeInteger(seq)) return undefined;
    for (const [n, message] of stream.events) if (n > seq) send(`${streamId}_${n}`, message);
    return streamId;
  }

  async drop(streamId: string): Promise<void> {
    this.streams.delete(streamId);
  }
}
