import { describe, expect, it } from 'vitest';
import { AnswerTooLarge, readJsonUpTo, readTextUpTo } from './bounded-read.js';

/** A response whose body repeats `chunk` without end; `state` says how much was read, and if cancelled. */
function endless(first: string, chunk: string) {
  const state = { pulled: 0, cancelled: false };
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(encoder.encode(state.pulled++ === 0 ? first : chunk));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { response: new Response(body, { headers: { 'content-type': 'application/json' } }), state };
}

describe('bounded reads of what a server answers', () => {
  it('reads a body that fits, a character split across chunks included', async () => {
    const bytes = new TextEncoder().encode('{"text":"\u{1F600}"}');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const b of bytes) controller.enqueue(Uint8Array.of(b));
        controller.close();
      },
    });
    expect(await readJsonUpTo(new Response(body))).toEqual({ text: '\u{1F600}' });
  });

  it('stops reading past the limit, cancels the download and names the option', async () => {
    const { response, state } = endless('{"a":"', 'x'.repeat(4096));
    const reading = readTextUpTo(response, 64 * 1024);
    await expect(reading).rejects.toThrow(AnswerTooLarge);
    await expect(reading).rejects.toThrow('The answer exceeds 65536 characters (maxMessageLength)');
    expect(state.cancelled).toBe(true);
    expect(state.pulled).toBeLessThan(40);
  });
});
