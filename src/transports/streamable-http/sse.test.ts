import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SseStream } from './sse.js';

function stream(maxBacklogBytes: number, keepAliveMs?: number) {
  const calls = { cancel: 0, end: 0, overflow: [] as number[] };
  const sse = new SseStream({
    onCancel: () => calls.cancel++,
    onEnd: () => calls.end++,
    onOverflow: (bytes) => calls.overflow.push(bytes),
    maxBacklogBytes,
    keepAliveMs,
  });
  return { sse, calls };
}

/** An event of about `size` bytes on the wire ("data: " and two line ends add 8). */
const event = (size: number) => ({ data: 'x'.repeat(size - 8) });

describe('SseStream backlog bound (maxStreamBacklogBytes)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ends a stream whose reader took nothing for 5 s past the bound, drops its backlog, and says why', async () => {
    const { sse, calls } = stream(1000);
    for (let i = 0; i < 20; i++) sse.send(event(100));
    // Past the bound, but only just now: a burst of the server's own is not a stalled client.
    expect(calls.overflow).toEqual([]);
    vi.advanceTimersByTime(5001);
    sse.send(event(100));
    expect(calls).toEqual({ cancel: 1, end: 1, overflow: [2000] });
    expect(sse.closed).toBe(true);
    const reader = sse.body.getReader();
    await expect(reader.read()).rejects.toThrow(/read too slowly.*maxStreamBacklogBytes/);
    // Later events are dropped, not queued, and nothing is told twice.
    sse.send(event(100));
    sse.close();
    expect(calls).toMatchObject({ cancel: 1, end: 1 });
  });

  it('ends it at once past 16 times the bound', () => {
    const { sse, calls } = stream(1000);
    for (let i = 0; i < 200; i++) sse.send(event(100));
    expect(calls.overflow).toEqual([16_100]);
    expect(sse.closed).toBe(true);
  });

  it('keeps a stream whose reader is catching up with a burst', async () => {
    const { sse, calls } = stream(1000);
    const reader = sse.body.getReader();
    for (let i = 0; i < 100; i++) sse.send(event(100));
    for (let i = 0; i < 50; i++) await reader.read();
    vi.advanceTimersByTime(60_000);
    // The reader took something since the last write: it is slow, not gone.
    sse.send(event(100));
    expect(calls.overflow).toEqual([]);
    // Then it stops for good.
    vi.advanceTimersByTime(5001);
    sse.send(event(100));
    expect(calls.overflow).toHaveLength(1);
  });

  it('lets a reader that keeps up take any amount, and one event larger than the bound', async () => {
    const { sse, calls } = stream(1000);
    const reader = sse.body.getReader();
    let received = 0;
    for (let i = 0; i < 50; i++) {
      sse.send(event(i === 0 ? 50_000 : 300));
      const { value } = await reader.read();
      received += value!.byteLength;
      vi.advanceTimersByTime(10_000);
    }
    expect(received).toBe(50_000 + 49 * 300);
    expect(calls).toEqual({ cancel: 0, end: 0, overflow: [] });
  });

  it('admits a replay of any size on top of the bound, then bounds what comes after it', () => {
    const { sse, calls } = stream(1000);
    for (let i = 0; i < 500; i++) sse.replay(event(100));
    vi.advanceTimersByTime(5001);
    // 50,000 replayed and 1,100 more: past the raised bound only now.
    for (let i = 0; i < 11; i++) sse.send(event(100));
    expect(calls.overflow).toEqual([]);
    vi.advanceTimersByTime(5001);
    sse.send(event(100));
    expect(calls.overflow).toEqual([51_100]);
  });

  it('counts keep-alive comments too: an idle stream whose client reads nothing ends', () => {
    const { sse, calls } = stream(30, 1000);
    // Comments of 3 bytes each: past 30 bytes after 11 s, then 5 s more without a read.
    vi.advanceTimersByTime(17_000);
    expect(calls.cancel).toBe(1);
    expect(sse.closed).toBe(true);
  });
});
