import { describe, expect, it } from 'vitest';
import { AnswerTooLarge } from './bounded-read.js';
import type { SseEvent } from './sse.js';
import { readEvents } from './sse-reader.js';

const bytes = (text: string) => new TextEncoder().encode(text);

/** A body that delivers `chunks` one read at a time, and records whether it was cancelled. */
function body(chunks: Uint8Array[]) {
  const state = { cancelled: false, pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks[state.pulled++];
      if (next === undefined) controller.close();
      else controller.enqueue(next);
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

async function collect(stream: ReadableStream<Uint8Array>, maxLength?: number): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const event of readEvents(stream, maxLength)) events.push(event);
  return events;
}

// CRLF, CR and LF line ends, a multi-line event, a comment, retry alone and with data, and a
// character of 4 UTF-8 bytes.
const TEXT =
  ': hello\r\nid: 1\r\ndata: {"a":\r\ndata: "b"}\r\n\r\n' +
  'event: message\rdata: second \u{1F600}\r\rretry: 250\nid: 2\ndata: third\n\nretry: 0\n\n';
const EXPECTED: SseEvent[] = [
  { id: '1', data: '{"a":\n"b"}' },
  { event: 'message', data: 'second \u{1F600}' },
  { retry: 250, id: '2', data: 'third' },
  // Only a reconnection time: it counts at once, so it is an event of its own.
  { retry: 0, data: '' },
];

describe('readEvents (the client reading a server-sent event stream)', () => {
  it('gives the same events however the bytes are split, a CRLF or a character across reads included', async () => {
    const all = bytes(TEXT);
    expect(await collect(body([all]).stream)).toEqual(EXPECTED);
    for (let cut = 1; cut < all.length; cut++) {
      const split = body([all.subarray(0, cut), all.subarray(cut)]).stream;
      expect(await collect(split), `split at byte ${cut}`).toEqual(EXPECTED);
    }
    const oneByOne = body(Array.from(all, (b) => Uint8Array.of(b))).stream;
    expect(await collect(oneByOne)).toEqual(EXPECTED);
  });

  it('fails on a line longer than maxLength and stops the download (a server that never ends a line)', async () => {
    const line = bytes(`data: ${'x'.repeat(1000)}`);
    const { stream, state } = body([bytes('data: ok\n\n'), ...Array.from({ length: 1000 }, () => line)]);
    const events: SseEvent[] = [];
    const reading = (async () => {
      for await (const event of readEvents(stream, 10_000)) events.push(event);
    })();
    await expect(reading).rejects.toThrow(AnswerTooLarge);
    await expect(reading).rejects.toThrow(/An SSE line exceeds 10000 characters \(maxMessageLength\)/);
    expect(events).toEqual([{ data: 'ok' }]);
    expect(state.cancelled).toBe(true);
    expect(state.pulled).toBeLessThan(20);
  });

  it('fails on an event whose data lines add up past maxLength', async () => {
    const lines = Array.from({ length: 100 }, () => bytes(`data: ${'y'.repeat(500)}\n`));
    const { stream, state } = body(lines);
    await expect(collect(stream, 10_000)).rejects.toThrow(/An SSE event exceeds 10000 characters/);
    expect(state.cancelled).toBe(true);
  });

  it('stops the download when the reader breaks off early', async () => {
    const { stream, state } = body([bytes('data: 1\n\ndata: 2\n\n'), bytes('data: 3\n\n')]);
    for await (const event of readEvents(stream)) {
      expect(event.data).toBe('1');
      break;
    }
    expect(state.cancelled).toBe(true);
  });
});
