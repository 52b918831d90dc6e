import { AnswerTooLarge, DEFAULT_MAX_ANSWER_LENGTH } from './bounded-read.js';
import type { SseEvent } from './sse.js';

/**
 * Parses an SSE byte stream into events (client side). A line or an event's data longer than
 * `maxLength` characters fails the stream (and cancels it): a server that never ends a line cannot
 * grow the client's memory without bound. Each character is scanned once, however the bytes arrive.
 */
export async function* readEvents(
  body: ReadableStream<Uint8Array>,
  maxLength: number = DEFAULT_MAX_ANSWER_LENGTH,
): AsyncGenerator<SseEvent> {
  // Where a line ends: CRLF, CR or LF. One per stream: its lastIndex is this stream's position.
  const lineBreak = /\r\n?|\n/g;
  const decoder = new TextDecoder();
  let buffer = '';
  let event: Partial<SseEvent> & { data?: string } = {};
  const reader = body.getReader();
  let finished = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      // Text before `buffer` holds no line break: only the new text is searched.
      const scanFrom = buffer.length;
      buffer += decoder.decode(value, { stream: true });
      lineBreak.lastIndex = Math.max(0, scanFrom - 1);
      let start = 0;
      for (let m = lineBreak.exec(buffer); m !== null; m = lineBreak.exec(buffer)) {
        // A CR that ends the text so far may be the first half of a CRLF: wait for the next bytes.
        if (m[0] === '\r' && m.index === buffer.length - 1) break;
        const line = buffer.slice(start, m.index);
        start = lineBreak.lastIndex;
        if (line === '') {
          // A block with only `retry` still counts: the reconnection time applies at once.
          if (event.data !== undefined || event.id !== undefined || event.retry !== undefined)
            yield { ...event, data: event.data ?? '' } as SseEvent;
          event = {};
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let fieldValue = colon < 0 ? '' : line.slice(colon + 1);
        if (fieldValue.startsWith(' ')) fieldValue = fieldValue.slice(1);
        if (field === 'data') {
          event.data = event.data === undefined ? fieldValue : `${event.data}\n${fieldValue}`;
          if (event.data.length > maxLength)
            throw new AnswerTooLarge('An SSE event', maxLength, 'maxMessageLength');
        } else if (field === 'id') event.id = fieldValue;
        else if (field === 'event') event.event = fieldValue;
        else if (field === 'retry' && /^\d+$/.test(fieldValue)) event.retry = Number(fieldValue);
      }
      buffer = buffer.slice(start);
      if (buffer.length > maxLength) throw new AnswerTooLarge('An SSE line', maxLength, 'maxMessageLength');
    }
  } finally {
    // Stopped early (an error, a consumer that broke off): the rest is not downloaded.
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
