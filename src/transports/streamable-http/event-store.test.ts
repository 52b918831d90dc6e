import { describe, expect, it } from 'vitest';
import { InMemoryEventStore } from './event-store.js';

const replay = async (store: InMemoryEventStore, session: string, id: string) => {
  const seen: string[] = [];
  const stream = await store.replayAfter(session, id, (_id, message) => seen.push(message));
  return { stream, seen };
};

describe('in-memory event store (2025-11-25 resumability)', () => {
  it('replays only the named stream of the named session', async () => {
    const store = new InMemoryEventStore();
    const first = await store.append('s1', 'p1', 'a');
    await store.append('s1', 'p1', 'b');
    await store.append('s1', 'p2', 'other stream');
    await store.append('s2', 'p1', 'other session');
    expect(await replay(store, 's1', first)).toEqual({ stream: 'p1', seen: ['b'] });
    expect(await replay(store, 's2', first)).toEqual({ stream: 'p1', seen: [] });
    expect((await replay(store, 's3', first)).stream).toBeUndefined();
    for (const forged of ['p9_1', 'p1_999', 'p1_x', '_1', 'nonsense'])
      expect((await replay(store, 's1', forged)).stream).toBeUndefined();
  });

  it('dropSession forgets every stream of the session and its bytes', async () => {
    const store = new InMemoryEventStore();
    for (let i = 0; i < 10; i++) await store.append('s1', `p${i}`, 'x'.repeat(100));
    await store.append('s2', 'g', 'kept');
    await store.dropSession('s1');
    const stats = store.stats();
    expect(stats).toMatchObject({ sessions: 1, streams: 1, events: 1 });
    expect(stats.bytes).toBeLessThan(100);
  });

  it('is bounded in events per stream, bytes per session and bytes in all', async () => {
    const store = new InMemoryEventStore({
      maxEventsPerStream: 5,
      maxBytesPerSession: 10_000,
      maxBytes: 25_000,
    });
    for (let i = 0; i < 20; i++) await store.append('s1', 'p1', `${i}`);
    expect(store.stats().events).toBe(5);
    const big = 'y'.repeat(1000);
    for (let i = 0; i < 50; i++) await store.append('s2', `p${i}`, big);
    expect(store.stats().bytes).toBeLessThanOrEqual(25_000);
    const s2 = await store.append('s2', 'p99', big);
    expect(s2).toMatch(/^p99_/);
    for (let i = 0; i < 50; i++) await store.append('s3', `p${i}`, big);
    for (let i = 0; i < 50; i++) await store.append('s4', `p${i}`, big);
    const stats = store.stats();
    expect(stats.bytes).toBeLessThanOrEqual(25_000);
    // The least recently active session went first.
    expect((await replay(store, 's1', 'p1_1')).stream).toBeUndefined();
  });

  it('never reuses an event id of a stream whose events were evicted', async () => {
    const store = new InMemoryEventStore({ maxEventsPerStream: 1 });
    const a = await store.append('s', 'p1', 'a');
    const b = await store.append('s', 'p1', 'b');
    expect(a).not.toBe(b);
    expect(await replay(store, 's', a)).toEqual({ stream: 'p1', seen: ['b'] });
  });
});

describe('in-memory event store fairness (one client cannot push out the others)', () => {
  it("a client over maxBytesPerClient loses its own oldest events, not another client's", async () => {
    const store = new InMemoryEventStore({ maxBytesPerClient: 5_000, maxBytes: 50_000 });
    const quiet = await store.append('q1', 'p1', 'kept', 'quiet');
    const big = 'z'.repeat(500);
    for (let s = 0; s < 10; s++)
      for (let i = 0; i < 20; i++) await store.append(`loud${s}`, `p${i}`, big, 'loud');
    expect(store.stats().bytes).toBeLessThanOrEqual(5_000 + 200);
    expect(await replay(store, 'q1', quiet.replace(/_\d+$/, '_0'))).toEqual({ stream: 'p1', seen: ['kept'] });
    // The loud client's earliest sessions went first.
    expect((await replay(store, 'loud0', 'p0_0')).stream).toBeUndefined();
    await store.dropSession('q1');
    for (let s = 0; s < 10; s++) await store.dropSession(`loud${s}`);
    expect(store.stats()).toEqual({ clients: 0, sessions: 0, streams: 0, events: 0, bytes: 0 });
  });
});
