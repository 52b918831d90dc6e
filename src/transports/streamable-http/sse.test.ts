import { describe, expect, it, vi } from 'vitest';
import { SseStream } from './sse.js';

function stream(maxBacklogBytes: number) {
  const calls = { cancel: 0, end: 0, overflow: [] as number[] };
  const sse = new SseStream({
    onCancel: () => calls.cancel++,
    onEnd: () => calls.end++,
    onOverflow: (bytes) => calls.overflow.push(bytes),
    maxBacklogBytes,
  });
  return { sse, calls };
}

const event = (size: number) => ({ data: 'x'.repeat(size) });

describe('SseStream backlog bound (maxStreamBacklogBytes)', () => {
  it('ends a stream whose reader stopped taking events, drops its backlog, and says why', async () => {
    const { sse, calls } = stream(1000);
    for (let i = 0; i < 100; i++) sse.send(event(100));
    expect(calls).toEqual({ cancel: 1, end: 1, overflow: [expect.any(Number)] });
    // More than the bound was held when the next event came, never much more.
    expect(calls.overflow[0]).toBeGreaterThan(1000);
    expect(calls.overflow[0]).toBeLessThan(1200);
    expect(sse.closed).toBe(true);
    const reader = sse.body.getReader();
    await expect(reader.read()).rejects.toThrow(/read too slowly.*maxStreamBacklogBytes/);
    // Later events are dropped, not queued, and nothing is told twice.
    sse.send(event(100));
    sse.close();
    expect(calls).toMatchObject({ cancel: 1, end: 1 });
  });

  it('lets a reader that keeps up take any amount, and one event larger than the bound', async () => {
    const { sse, calls } = stream(1000);
    const reader = sse.body.getReader();
    let received = 0;
    for (let i = 0; i < 50; i++) {
      sse.send(event(i === 0 ? 5000 : 300));
      const { value } = await reader.read();
      received += value!.byteLength;
    }
    expect(received).toBeGreaterThan(5000 + 49 * 300);
    expect(calls).toEqual({ cancel: 0, end: 0, overflow: [] });
  });

  it('admits a replay of any size on top of the bound, then bounds what comes after it', () => {
    const { sse, calls } = stream(1000);
    for (let i = 0; i < 50; i++) sse.replay(event(100));
    expect(calls.overflow).toEqual([]);
    for (let i = 0; i < 9; i++) sse.send(event(100));
    expect(calls.overflow).toEqual([]);
    for (let i = 0; i < 5; i++) sse.send(event(100));
    expect(calls.overflow).toHaveLength(1);
  });

  it('counts keep-alive comments in the backlog too', async () => {
    vi.useFakeTimers();
    try {
      const calls = { cancel: 0 };
      const sse = new SseStream({ onCancel: () => calls.cancel++, keepAliveMs: 10, maxBacklogBytes: 30 });
      vi.advanceTimersByTime(200);
      expect(calls.cancel).toBe(1);
      expect(sse.closed).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
